import "server-only";

/**
 * Domain records produced by the normalize stage. Every later stage (store, aggregate,
 * query, coupling, alerting) works on these shapes, never on raw OTLP.
 *
 * Contracts:
 * - ids are lowercase hex (trace 32 chars, span 16 chars); a root span has parentSpanId null.
 * - timestamps are exact nanoseconds since the Unix epoch as bigint.
 * - attributes are flattened: nested kvlist values become dotted keys, arrays stay arrays,
 *   bytes become base64 strings, over-long strings are truncated (see normalize/attributes.ts).
 */

export type AttrScalar = string | number | boolean | null;
export type AttrValue = AttrScalar | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

/** OTLP SpanKind numbers. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;
export type SpanKindValue = (typeof SpanKind)[keyof typeof SpanKind];

/** OTLP Status codes. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCodeValue = (typeof StatusCode)[keyof typeof StatusCode];

export interface ResourceInfo {
  /** service.name, or the spec default `unknown_service` when absent. */
  service: string;
  namespace: string | null;
  /** deployment.environment.name, else deployment.environment. */
  environment: string | null;
  attributes: Attributes;
}

export interface SpanEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKindValue;
  startNs: bigint;
  endNs: bigint;
  statusCode: StatusCodeValue;
  statusMessage: string;
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  scope: { name: string; version: string };
  resource: ResourceInfo;
}

export type MetricType = "gauge" | "sum" | "histogram" | "exponential_histogram" | "summary";

/** One OTLP data point, flattened with its metric's identity. */
export interface MetricPoint {
  service: string;
  resource: ResourceInfo;
  name: string;
  description: string;
  unit: string;
  type: MetricType;
  /** 1 delta, 2 cumulative, 0 unspecified (gauges, summaries). */
  temporality: 0 | 1 | 2;
  monotonic: boolean;
  attributes: Attributes;
  startNs: bigint;
  timeNs: bigint;
  /** gauge / sum value */
  value: number | null;
  /** histogram, exponential histogram, summary: the point body as stored JSON-able data. */
  count: number | null;
  sum: number | null;
  /** explicit histogram: bounds + counts; exponential: scale, zero, positive/negative buckets; summary: quantiles */
  detail: Record<string, unknown> | null;
}
