import "server-only";
import type { LogRecord, MetricPoint, Span } from "../normalize";

/**
 * The telemetry store boundary: every read and write of telemetry goes through these
 * interfaces. No SQL, table name or database handle exists outside server/store/; the query,
 * coupling, alerting and jobs stages see only plain data and do not know which backend runs
 * (`openTelemetryStore` picks one by CARTOGRAPH_STORE: `sqlite`, the embedded default, or
 * `clickhouse`).
 *
 * Contract for every implementation:
 * - Reads return Promises. Writes return `Awaitable`: the embedded store commits synchronously
 *   (the writer thread acknowledges only after commit), a remote store may return a Promise;
 *   callers always `await` them.
 * - Times: raw rows carry exact epoch nanoseconds (bigint); rollups are keyed by epoch minute
 *   (Math.floor(ms / 60000)); windows are half-open [from, to).
 * - Sketches are encoded DDSketches (server/store/sketch.ts encoding), opaque bytes
 *   to the store: rows for the same key and minute MERGE (counts added, sketches merged), from
 *   any number of writers, in any order; nothing is overwritten.
 * - Identifiers are the telemetry's own (trace/span ids as lower-case hex, node ids, metric
 *   series keys); no storage row id leaks out (cursors and series keys are opaque strings).
 * - Idempotence: appending a span whose (trace id, span id) is stored is a no-op, and only the
 *   spans actually stored are returned (they alone feed the aggregations).
 */
export type Awaitable<T> = T | Promise<T>;

/** Epoch minutes [fromMinute, toMinute). */
export interface MinuteWindow {
  fromMinute: number;
  toMinute: number;
}

// ───────────────────────────── spans ─────────────────────────────

export interface TraceQuery {
  fromNs: bigint;
  toNs: bigint;
  service?: string;
  operation?: string;
  status?: "error" | "ok";
  minDurationNs?: bigint;
  maxDurationNs?: bigint;
  /** Each pair must match an attribute of the matching span or of its resource. */
  attrs?: { key: string; value: string }[];
  /** OTLP span kind of the matching span. */
  kind?: number;
  /** The matching span's resource environment; null: a resource without one. */
  environment?: string | null;
  limit: number;
}

/** One trace found by a search. Matching rules: see the SQLite implementation's search-traces.ts. */
export interface StoredTraceSummary {
  traceId: string;
  rootService: string | null;
  rootOperation: string | null;
  /** Epoch ms of the earliest span. */
  startTime: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface SpanStore {
  /** Every stored span of one trace in start order (at most `limit`); empty when unknown. */
  readTrace(traceId: string, limit?: number): Promise<Span[]>;
  /** Spans of several traces (no order promised across traces). */
  readTraces(traceIds: readonly string[]): Promise<Span[]>;
  /** The earliest `limit` spans that started in [fromMs, toMs). */
  readSpansInWindow(fromMs: number, toMs: number, limit: number): Promise<Span[]>;
  /** Ids of traces with a span that started in [fromMs, toMs) (traces begun up to an hour before count). */
  listTraceIdsInWindow(fromMs: number, toMs: number): Promise<string[]>;
  /** Newest traces first. */
  searchTraces(q: TraceQuery): Promise<StoredTraceSummary[]>;
}

// ───────────────────────────── RED rollups and the service catalog ─────────────────────────────

/** RED of one service × operation × span kind × minute. */
export interface RedMinute {
  service: string;
  /** deployment.environment(.name) of the service's resource, '' for none (environments never mix). */
  environment: string;
  operation: string;
  /** OTLP span kind number (2 SERVER and 5 CONSUMER are the requests a service served). */
  kind: number;
  minute: number;
  count: number;
  errors: number;
  /** Encoded DDSketch of durations in ms. */
  sketch: Uint8Array;
}

export interface RedQuery extends MinuteWindow {
  service?: string;
  /** One environment ('' = the spans without one); absent: all. */
  environment?: string;
  operation?: string;
  /** Only these span kinds (default: all). */
  kinds?: readonly number[];
}

/** A service of the catalog: the first and last time a span of it started (epoch ms). */
export interface ServiceEntry {
  name: string;
  namespace: string | null;
  environment: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface RollupStore {
  /** Adds the rows to the stored minutes (merge, see the contract above) and widens the catalog entries. */
  mergeRed(rows: readonly RedMinute[], services: readonly ServiceEntry[]): Awaitable<void>;
  /** Minute rows of the window (one row per key and minute; several writers' rows already merged or not: callers add them up). */
  readRed(q: RedQuery): Promise<RedMinute[]>;
  /**
   * Hour rows of [fromMinute, toMinute): one row per key and hour, `minute` = the hour's first
   * minute, every writer's minutes of that hour inside the window merged (an hour the window cuts
   * holds only those). What windows of many hours and sums over ranges read (the ClickHouse store
   * keeps hour rollups; SQLite merges its minutes).
   */
  readRedHours(q: RedQuery): Promise<RedMinute[]>;
  /** Distinct (operation, kind) of a service ever stored, sorted by operation then kind. */
  listOperations(service: string, kind?: number): Promise<{ operation: string; kind: number }[]>;
  /**
   * Catalog entries seen in [fromMs, toMs) (last seen ≥ fromMs and first seen < toMs), by name;
   * without a window, every entry.
   */
  listServices(window?: { fromMs: number; toMs: number }): Promise<ServiceEntry[]>;
  hasService(name: string): Promise<boolean>;
}

// ───────────────────────────── service graph ─────────────────────────────

/** Calls on one edge in one minute (server/aggregate/servicegraph pairs them). */
export interface EdgeMinuteRow {
  source: string;
  target: string;
  /** http | grpc | db | messaging | other */
  protocol: string;
  minute: number;
  calls: number;
  errors: number;
  /** Pool connect spans, counted apart from calls. */
  connects: number;
  /** Encoded DDSketches (ms) of the client-side and server-side durations. */
  clientSketch: Uint8Array;
  serverSketch: Uint8Array;
  /** Rows of readEdgeHours: the last minute of the hour with calls (absent: `minute`). */
  lastMinute?: number;
}

/** A typed node of the graph; `detail` is the servicegraph stage's NodeDetail (plain JSON). */
export interface GraphNodeRow {
  id: string;
  /** service | database | messaging | external | client */
  kind: string;
  name: string;
  system: string | null;
  host: string | null;
  port: number | null;
  database: string | null;
  /** The environment the node belongs to (its id includes it), null for none. */
  environment: string | null;
  detail: Record<string, unknown>;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** Edge facts that are not per minute: first/last seen and the tables seen on it. */
export interface GraphEdgeRow {
  source: string;
  target: string;
  protocol: string;
  firstSeenMs: number;
  lastSeenMs: number;
  tables: string[];
}

/** Pairing completeness counts (see PairingCounts in server/aggregate/servicegraph). */
export interface CompletenessCounts {
  paired: number;
  unpairedClient: number;
  unpairedServer: number;
  virtual: number;
  expired: number;
  dropped: number;
}

export interface GraphBatch {
  edges: readonly EdgeMinuteRow[];
  /** Merged into stored nodes: detail lists unioned, first/last seen widened. */
  nodes: readonly GraphNodeRow[];
  /** Merged into stored edge facts: tables unioned, first/last seen widened. */
  edgeFacts: readonly GraphEdgeRow[];
  completeness: readonly (CompletenessCounts & { minute: number })[];
}

export interface EdgeMinuteQuery extends MinuteWindow {
  source?: string;
  target?: string;
}

export interface GraphStore {
  /** One flush of the graph stage, written atomically (all rows or none). */
  mergeGraph(batch: GraphBatch): Awaitable<void>;
  /** Minute rows of the window, optionally of one source and/or target (every protocol). */
  readEdgeMinutes(q: EdgeMinuteQuery): Promise<EdgeMinuteRow[]>;
  /**
   * Hour rows of [fromMinute, toMinute): one row per edge and hour, `minute` = the first minute
   * with calls, `lastMinute` the last; an hour the window cuts holds only its minutes inside it.
   */
  readEdgeHours(q: MinuteWindow): Promise<EdgeMinuteRow[]>;
  /** Facts of every stored edge (the map joins them to the window's edges). */
  readEdgeFacts(): Promise<GraphEdgeRow[]>;
  /** Nodes by id (missing ids are left out). */
  readNodes(ids: readonly string[]): Promise<GraphNodeRow[]>;
  /** Service nodes seen in [fromMs, toMs). */
  readServiceNodes(fromMs: number, toMs: number): Promise<GraphNodeRow[]>;
  /** Completeness summed over the window (zeros when nothing is stored). */
  readCompleteness(w: MinuteWindow): Promise<CompletenessCounts>;
  /**
   * readEdgeHours and the completeness per hour (`minute`: the hour's first minute; hours
   * without any left out) of one window, both read at one state of the graph: a map never
   * shows edges of one pairing pass beside the completeness of another.
   */
  readGraphHours(q: MinuteWindow): Promise<GraphHours>;
}

export interface GraphHours {
  edges: EdgeMinuteRow[];
  completeness: (CompletenessCounts & { minute: number })[];
}

// ───────────────────────────── metrics ─────────────────────────────

/** One metric of one service as listed (its series grouped by name and type). */
export interface MetricSummaryRow {
  service: string;
  name: string;
  /** gauge | sum | histogram | exponential_histogram | summary */
  type: string;
  unit: string;
  description: string;
  monotonic: boolean;
  /** OTLP AggregationTemporality number (1 delta, 2 cumulative). */
  temporality: number;
  series: number;
}

export interface MetricSeriesRow {
  /** Opaque key for readMetricPoints. */
  key: string;
  type: string;
  unit: string;
  temporality: number;
  monotonic: boolean;
  attributes: Record<string, unknown>;
}

export interface MetricPointRow {
  timeMs: number;
  value: number | null;
  count: number | null;
  sum: number | null;
  /** Histogram buckets, exponential buckets or summary quantiles as normalize stored them. */
  detail: Record<string, unknown> | null;
}

export interface MetricStore {
  /** Metrics with a series seen since `sinceMs`, by service then name; the first `limit` when given. */
  listMetrics(sinceMs: number, service?: string, limit?: number): Promise<MetricSummaryRow[]>;
  /** Series of one metric of one service, at most `limit`, in a stable order. */
  readMetricSeries(service: string, name: string, limit: number): Promise<MetricSeriesRow[]>;
  /** Points of one series with time in [fromNs, toNs), oldest first. */
  readMetricPoints(seriesKey: string, fromNs: bigint, toNs: bigint): Promise<MetricPointRow[]>;
  /** Services that have a series of this metric name. */
  listMetricServices(name: string): Promise<string[]>;
}

// ───────────────────────────── logs ─────────────────────────────

/** What a log search selects; times are epoch ns (exact). */
export interface LogFilter {
  fromNs: bigint;
  toNs: bigint;
  service?: string;
  /** Lowest SeverityNumber included (1..24). */
  minSeverity?: number;
  /** Free text: words must all appear (the SQLite store's logs-text-query.ts states the syntax). */
  text?: string;
  /** Every pair must equal a log attribute or, failing that, a resource attribute (as text). */
  attributes?: { key: string; value: string }[];
  traceId?: string;
  spanId?: string;
}

export interface StoredLog {
  timeNs: bigint;
  observedNs: bigint;
  severityNumber: number;
  severityText: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  service: string;
  traceId: string | null;
  spanId: string | null;
  scope: { name: string; version: string } | null;
}

/**
 * Rows a log histogram may read (GET /api/v1/logs/histogram): an hour of a common word with
 * an attribute filter (~80k matches at 10M lines a day) stays exact; beyond, a sample.
 */
export const LOG_HISTOGRAM_ROW_BUDGET = 100_000;

export interface LogCountRow {
  /** Step start, epoch ms. */
  t: number;
  /** 0 unspecified, 1 trace .. 6 fatal. */
  severityRange: number;
  count: number;
}

export interface LogStore {
  /**
   * Matching lines newest first, `limit` at most, after `cursor` (an opaque string this store
   * returned as `nextCursor`, null at the end). An unknown cursor string is `invalid: true`.
   */
  searchLogs(f: LogFilter, limit: number, cursor?: string): Promise<{ logs: StoredLog[]; nextCursor: string | null }>;
  /** Whether a cursor string is one this store could have made (for a clear 400). */
  isLogCursor(cursor: string): boolean;
  /** Every line of one trace, oldest first. */
  readTraceLogs(traceId: string, limit?: number): Promise<StoredLog[]>;
  /** Counts per step (starting at fromNs) and severity range. */
  countLogs(f: LogFilter, stepMs: number): Promise<LogCountRow[]>;
  /**
   * countLogs reading about `rowBudget` rows at most: a store may count a pseudo-random
   * share of the lines where the exact count would read more rows, and says so
   * (`approximate`); exact otherwise.
   */
  countLogsWithin(
    f: LogFilter,
    stepMs: number,
    rowBudget: number,
  ): Promise<{ rows: LogCountRow[]; approximate: boolean }>;
  countLogsByService(f: LogFilter): Promise<{ service: string; count: number }[]>;
  /** Services that wrote any line since `sinceMs`. */
  listLogServices(sinceMs: number): Promise<string[]>;
}

// ───────────────────────────── retention ─────────────────────────────

export interface RetentionPolicy {
  /** Raw spans, points and logs older than this go. */
  rawMaxAgeMs: number;
  /** Rollups (RED, graph, completeness, log counts) older than this go. */
  rollupMaxAgeMs: number;
  /** 0 = no budget; otherwise the oldest raw data goes while the used size is above it. */
  diskBudgetBytes: number;
}

export interface RetentionResult {
  spansDeleted: number;
  pointsDeleted: number;
  logsDeleted: number;
  rollupsDeleted: number;
  usedBytes: number;
}

export interface RetentionStore {
  /** Applies the policy in bounded steps (never holds writers off for long). */
  enforceRetention(policy: RetentionPolicy, nowMs: number): Awaitable<RetentionResult>;
  /** Bytes the telemetry uses (what the disk budget is compared with). */
  measureUsedBytes(): Awaitable<number>;
}

// ───────────────────────────── ingest (raw appends) ─────────────────────────────

export interface AppendBatch {
  spans: readonly Span[];
  points: readonly MetricPoint[];
  logs: readonly LogRecord[];
}

export interface AppendResult {
  /** The spans actually stored (duplicates of stored spans left out), for aggregation. */
  inserted: Span[];
  pointsStored: number;
  logsStored: number;
}

/** A failed write as the store names it. */
export interface StoreFailure {
  kind: "storage" | "data";
  code: string;
  /** Safe to show a client. */
  message: string;
  /** For the operator's log: what is wrong and where to look (storage failures). */
  operatorHint?: string;
}

export interface IngestStore {
  /**
   * Appends the batches (one per client request) atomically: all of them are durable when
   * this settles, or none of them.
   */
  append(batches: readonly AppendBatch[], nowMs: number): Awaitable<AppendResult>;
  /**
   * Classifies a failed append: "storage" when the store itself failed (disk full, read-only,
   * unreachable: retry the same data later, answer 503), "data" when an item was refused
   * (isolate it and reject only it). `message` is safe to show a client.
   */
  classifyFailure(err: unknown): StoreFailure;
  /** Rollups that survive a kill (the embedded store); absent where the store cannot offer it. */
  readonly rollupJournal?: RollupJournal;
}

/**
 * Aggregates live in the writer's memory between rollup flushes. The journal makes a kill lose
 * none of them: a flush runs as one transaction that also records the last span block its
 * aggregates cover, and at start the spans appended after that mark are read back to be
 * aggregated again (each span counted once: a flush and its mark commit together).
 */
export interface RollupJournal {
  /**
   * Runs `flush` (the aggregators writing their rollups) as one transaction with the mark:
   * `through` (a position from readUnaggregated) or else everything appended so far. The
   * caller guarantees no append runs meanwhile.
   */
  flushAtomically(
    flush: () => Promise<void>,
    through?: number,
    states?: () => ReadonlyMap<string, string>,
  ): Promise<void>;
  /**
   * The aggregators' states saved with the last flush before a clean stop (`states`, called
   * after `flush` in the same transaction), by aggregator name; each is handed out once.
   */
  takeStates(): Promise<Map<string, string>>;
  /**
   * Spans appended after the mark, in append order, whole appends until about `limit` spans;
   * `through` is the position they reach, `more` when appends after it remain.
   */
  readUnaggregated(limit: number): Promise<{ spans: Span[]; through: number; more: boolean }>;
}

// ───────────────────────────── the aggregate ─────────────────────────────

/** Read side: what the query thread, alerting, coupling and the API use. */
export interface TelemetryReader {
  readonly spans: SpanStore;
  readonly rollups: RollupStore;
  readonly graph: GraphStore;
  readonly metrics: MetricStore;
  readonly logs: LogStore;
  /** True once the store is reachable and its schema is current. */
  ready(): boolean;
  /**
   * Stores shared by several processes (ClickHouse): minute ranges whose rollups other writers
   * changed since this reader's previous call, for the query stage's block cache. Absent where
   * every writer is in this process (it announces its own late writes, late-rollups.ts).
   */
  readRollupChanges?(): Promise<MinuteWindow[]>;
  close(): Awaitable<void>;
}

/** Read and write side: what the writer thread (ingest, aggregation flushes, retention) uses. */
export interface TelemetryStore extends TelemetryReader {
  readonly ingest: IngestStore;
  readonly retention: RetentionStore;
}

export type StoreKind = "sqlite" | "clickhouse";
