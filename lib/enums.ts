/**
 * The API's enumerations as plain lists, defined once. lib/contract builds its zod enums
 * from these lists; the UI imports them from here, never from lib/contract, because this
 * module holds no zod: zod's schema compiler uses `new Function`, which the UI's
 * Content-Security-Policy forbids in the browser (an ESLint rule keeps contract values out
 * of client code). Server code may use either.
 */

export const HEALTH = ["ok", "warning", "critical", "unknown"] as const;
export type Health = (typeof HEALTH)[number];

export const NODE_KINDS = ["service", "database", "messaging", "external", "client"] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const EDGE_PROTOCOLS = ["http", "grpc", "db", "messaging", "other"] as const;
export type EdgeProtocol = (typeof EDGE_PROTOCOLS)[number];

/** Span kind names; a name's index is its OTLP SpanKind number (0 unspecified .. 5 consumer). */
export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

/** Span status names; a name's index is its OTLP status code (0 unset, 1 ok, 2 error). */
export const STATUS_CODES = ["unset", "ok", "error"] as const;

/** A coupling finding's severity (API.md "Coupling findings"). */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The five-step scale behind a finding's severity (critical/high: critical; medium/low: warning). */
export const FINDING_LEVELS = ["critical", "high", "medium", "low", "info"] as const;
export type FindingLevel = (typeof FINDING_LEVELS)[number];

/** Coupling rule ids: kebab-case and stable (API.md "Coupling findings"). */
export const COUPLING_RULE_IDS = [
  "shared-database",
  "shared-table",
  "cyclic-dependency",
  "chatty-communication",
  "deep-call-chain",
  "hub-service",
  "excessive-fan-out",
  "gateway-bypass",
  "hard-coded-endpoint",
  "shared-topic",
  "forbidden-dependency",
] as const;
export type CouplingRuleId = (typeof COUPLING_RULE_IDS)[number];

export const METRIC_TYPES = ["gauge", "sum", "histogram", "exponential_histogram", "summary"] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

/** Every aggregation /api/v1/metrics/query accepts. */
export const METRIC_AGGREGATIONS = [
  "avg",
  "max",
  "min",
  "sum",
  "last",
  "rate",
  "increase",
  "p50",
  "p90",
  "p95",
  "p99",
  "count",
] as const;
export type MetricAggregation = (typeof METRIC_AGGREGATIONS)[number];

/** The aggregations a metric alert rule evaluates (percentiles are the metrics query's, not a rule's). */
export const RULE_METRIC_AGGREGATIONS = [
  "avg",
  "min",
  "max",
  "sum",
  "last",
  "rate",
  "increase",
  "count",
] as const satisfies readonly MetricAggregation[];

export const TEMPORALITIES = ["unspecified", "delta", "cumulative"] as const;

export const ALERT_STATES = ["pending", "firing", "resolved", "nodata", "error"] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** What an alert rule watches (the `type` of a rule definition). */
export const ALERT_RULE_TYPES = [
  "service",
  "operation",
  "edge",
  "metric",
  "no-data",
  "coupling",
  "new-edge",
  "logs",
] as const;
export type RuleType = (typeof ALERT_RULE_TYPES)[number];
/** The rule types evaluated over RED rollups (they take a `signal`). */
export const RED_RULE_TYPES: readonly RuleType[] = ["service", "operation", "edge"];

export const RED_SIGNALS = ["error_rate", "request_rate", "latency_p50", "latency_p95", "latency_p99"] as const;
export type RedSignal = (typeof RED_SIGNALS)[number];

export const COMPARISONS = [">", ">=", "<", "<="] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** What a rule's instances become when its query returns no data. */
export const NO_DATA_POLICIES = ["no-data", "alerting", "ok", "keep-last"] as const;
export type NoDataPolicy = (typeof NO_DATA_POLICIES)[number];
/** What a rule's instances become when its evaluation fails. */
export const ERROR_POLICIES = ["error", "alerting", "ok", "keep-last"] as const;
export type ErrorPolicy = (typeof ERROR_POLICIES)[number];

export const CHANNEL_TYPES = ["webhook", "alertmanager", "slack"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** viewer: read; editor: also change rules, channels, silences, policy; admin: also manage access. */
export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** OTLP SeverityNumber ranges (logs data model): each name covers four numbers. */
export const LOG_SEVERITY_NAMES = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogSeverityName = (typeof LOG_SEVERITY_NAMES)[number];
/** The log histogram's ranges: the severity names plus "unspecified" (SeverityNumber 0). */
export const LOG_HISTOGRAM_RANGES = ["unspecified", ...LOG_SEVERITY_NAMES] as const;
export type LogHistogramRange = (typeof LOG_HISTOGRAM_RANGES)[number];
