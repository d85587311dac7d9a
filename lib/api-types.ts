/**
 * Response shapes of the Cartograph HTTP API v1 (see /api/v1/openapi.json).
 * Client-safe: no server imports. Fields may be added by the server; these keep their meaning.
 */

export type Health = "ok" | "warning" | "critical" | "unknown";

/** RED statistics shared by services, operations, nodes and edges. */
export interface RedStats {
  requests: number;
  errors: number;
  errorRate: number;
  rps: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface ServiceSummary extends RedStats {
  name: string;
  namespace?: string | null;
  environment?: string | null;
  health: Health;
}
export interface ServicesResponse {
  services: ServiceSummary[];
}

export interface OperationSummary extends RedStats {
  name: string;
  /** Span kind of the operation (`server`, `consumer`, `client`, ...), when the server reports it. */
  kind?: string;
  health?: Health;
}
export interface OperationsResponse {
  operations: OperationSummary[];
}

/** One step of a RED time series; latency fields are null (or the point absent) when the step had no data. */
export interface RedPoint {
  t: number;
  requests: number | null;
  errors: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}
export interface TimeseriesResponse {
  points: RedPoint[];
  /** The step the server used (it may round the requested one, e.g. to whole rollup minutes). */
  stepSeconds?: number;
}

export type NodeKind = "service" | "database" | "messaging" | "external" | "client";

export interface MapNode {
  id: string;
  kind: NodeKind;
  name: string;
  health?: Health;
  system?: string;
  host?: string;
  port?: number;
  database?: string;
  namespace?: string | null;
  environment?: string | null;
  stats?: RedStats;
}

export type EdgeProtocol = "http" | "grpc" | "db" | "messaging" | "other";

export interface MapEdge {
  id: string;
  source: string;
  target: string;
  protocol?: EdgeProtocol;
  /** Computed by the server from the edge's stats (the UI never recomputes it). */
  health?: Health;
  stats?: RedStats;
  /** Which side measured `stats`: the callee (server) when instrumented, else the caller. */
  statsSide?: "server" | "client";
}

export interface Completeness {
  pairedCalls: number;
  unpairedClientSpans: number;
  unpairedServerSpans?: number;
  /** Halves that waited out the pairing window (calls to uninstrumented peers end here too). */
  expired: number;
  dropped: number;
  /** paired / (paired + halves lost), computed by the server. */
  ratio?: number;
}

export interface ServiceMapResponse {
  nodes: MapNode[];
  edges: MapEdge[];
  completeness?: Completeness;
}

export type MapChangeReason = "traffic-up" | "traffic-down" | "errors-up" | "errors-down" | "p95-up" | "p95-down" | "health" | string;

export interface MapChange {
  id: string;
  kind: "node" | "edge";
  before?: { stats?: RedStats; health?: Health };
  after?: { stats?: RedStats; health?: Health };
  reasons: MapChangeReason[];
}

export interface ServiceMapDiffResponse {
  added: { nodes: MapNode[]; edges: MapEdge[] };
  removed: { nodes: MapNode[]; edges: MapEdge[] };
  changed: MapChange[];
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootOperation: string;
  /** Epoch milliseconds (the server may also send an RFC 3339 string). */
  startTime: number | string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}
export interface TracesResponse {
  traces: TraceSummary[];
}

export type AttributeValue = string | number | boolean | null | AttributeValue[] | { [k: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;

export interface SpanEvent {
  name: string;
  timeUnixNano?: string;
  attributes?: Attributes;
}
export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes?: Attributes;
}
export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer" | "unspecified" | string;

export interface TraceSpan {
  spanId: string;
  parentSpanId?: string | null;
  service: string;
  name: string;
  kind: SpanKindName;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  durationMs: number;
  status: { code: "ok" | "error" | "unset"; message?: string | null };
  attributes: Attributes;
  resource: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
}
export interface TraceResponse {
  traceId: string;
  spans: TraceSpan[];
  /** Spans the trace holds in all; more than `spans.length` when the answer is one page of several. */
  totalSpans: number;
  truncated: boolean;
  nextCursor: string | null;
}

export type MetricType = "gauge" | "sum" | "histogram" | "exponential_histogram" | "summary";
export type MetricAggregation = "rate" | "sum" | "avg" | "max" | "p50" | "p95" | "p99";

export interface MetricDescriptor {
  service: string;
  name: string;
  type: MetricType;
  unit: string;
  description: string;
  monotonic?: boolean;
  temporality?: "delta" | "cumulative" | "unspecified";
}
export interface MetricsResponse {
  metrics: MetricDescriptor[];
}

export interface MetricPoint {
  t: number;
  v: number | null;
}
export interface MetricSeries {
  labels: Record<string, string>;
  points: MetricPoint[];
}
export interface MetricQueryResponse {
  series: MetricSeries[];
  unit: string;
  aggregation: MetricAggregation;
}

/** The error body every API endpoint returns with a 4xx/5xx status. */
export interface ApiErrorBody {
  error: { code: string; message: string };
}
