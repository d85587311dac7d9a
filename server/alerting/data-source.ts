import "server-only";

/**
 * What alert evaluation reads. The scheduler batches: one call per rule type and distinct
 * window per tick, never one per rule. Adapters: `createStoreDataSource` (telemetry store);
 * tests pass fakes.
 */
export interface QueryWindow {
  fromMs: number;
  toMs: number;
}

/** RED of one service / operation / edge over a window. Latencies are null without data. */
export interface RedRow {
  service: string;
  /** deployment.environment(.name) of the service's rows (absent: none); a series label. */
  environment?: string;
  operation?: string;
  requests: number;
  errors: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface EdgeRow extends Omit<RedRow, "service"> {
  /** Node ids as in the service map (`service:checkout`, `database:...`). */
  source: string;
  target: string;
  sourceName: string;
  targetName: string;
}

export interface MetricQuery {
  metric: string;
  aggregation?: string;
}

export interface MetricSample {
  service: string;
  /** Data point attributes, flattened to strings. */
  attributes: Record<string, string>;
  value: number;
  /** OTLP metric type of the series: gauge | sum | histogram | ... */
  type: string;
}

export interface Finding {
  id: string;
  rule: string;
  severity: "info" | "warning" | "critical";
  title: string;
  services: string[];
  evidence?: { traceIds?: string[] };
}

export interface AlertDataSource {
  /** Every known service, also those with zero requests in the window (requests = 0). */
  serviceRed(window: QueryWindow): Promise<RedRow[]>;
  operationRed(window: QueryWindow): Promise<RedRow[]>;
  edgeRed(window: QueryWindow): Promise<EdgeRow[]>;
  metricValue(window: QueryWindow, query: MetricQuery): Promise<MetricSample[]>;
  violations(window: QueryWindow): Promise<Finding[]>;
  /** Matching log lines per service in the window (log rules). */
  logCounts?(window: QueryWindow, query: LogCountQuery): Promise<LogCountRow[]>;
  /** A few trace ids of the service in the window (errors first); optional. */
  exampleTraces?(service: string, window: QueryWindow, limit: number): Promise<string[]>;
}

export interface LogCountQuery {
  /** Lowest SeverityNumber (1..24). */
  minSeverity: number;
  text?: string;
  attributes: Record<string, string>;
}

export interface LogCountRow {
  service: string;
  count: number;
}

/** The rows one rule type needs, as evaluateRule takes them. */
export type QueryResult =
  | { kind: "red"; rows: RedRow[] }
  | { kind: "edges"; rows: EdgeRow[]; baseline?: EdgeRow[] }
  | { kind: "metric"; rows: MetricSample[] }
  | { kind: "findings"; rows: Finding[] }
  | { kind: "logs"; rows: LogCountRow[] }
  | { kind: "error"; message: string };
