import { z } from "zod";

/**
 * Enumerations of the API, defined once: the server validates and answers with these, the
 * UI's types are inferred from them, and the OpenAPI document lists them.
 */
export const HEALTH = ["ok", "warning", "critical", "unknown"] as const;
export const healthSchema = z.enum(HEALTH).meta({ description: "ok | warning | critical by error rate; unknown with no requests in the window" });
export type Health = z.infer<typeof healthSchema>;

export const NODE_KINDS = ["service", "database", "messaging", "external", "client"] as const;
export const nodeKindSchema = z.enum(NODE_KINDS);
export type NodeKind = z.infer<typeof nodeKindSchema>;

export const EDGE_PROTOCOLS = ["http", "grpc", "db", "messaging", "other"] as const;
export const edgeProtocolSchema = z.enum(EDGE_PROTOCOLS);
export type EdgeProtocol = z.infer<typeof edgeProtocolSchema>;

export const SPAN_KINDS = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;
export const spanKindSchema = z.enum(SPAN_KINDS);
export type SpanKindName = z.infer<typeof spanKindSchema>;

export const STATUS_CODES = ["unset", "ok", "error"] as const;
export const statusCodeSchema = z.enum(STATUS_CODES);

export const SEVERITIES = ["info", "warning", "critical"] as const;
export const severitySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof severitySchema>;

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
export const couplingRuleIdSchema = z.enum(COUPLING_RULE_IDS);
export type CouplingRuleId = z.infer<typeof couplingRuleIdSchema>;

export const METRIC_TYPES = ["gauge", "sum", "histogram", "exponential_histogram", "summary"] as const;
export const metricTypeSchema = z.enum(METRIC_TYPES);
export type MetricType = z.infer<typeof metricTypeSchema>;

/** Every aggregation /api/v1/metrics/query accepts. */
export const METRIC_AGGREGATIONS = ["avg", "max", "min", "sum", "last", "rate", "increase", "p50", "p90", "p95", "p99", "count"] as const;
export const metricAggregationSchema = z.enum(METRIC_AGGREGATIONS);
export type MetricAggregation = z.infer<typeof metricAggregationSchema>;

export const TEMPORALITIES = ["unspecified", "delta", "cumulative"] as const;
export const temporalitySchema = z.enum(TEMPORALITIES);

export const ALERT_STATES = ["pending", "firing", "resolved", "nodata", "error"] as const;
export const alertStateSchema = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof alertStateSchema>;

/** OTLP SeverityNumber ranges (logs data model): each name covers four numbers. */
export const LOG_SEVERITY_NAMES = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
export type LogSeverityName = (typeof LOG_SEVERITY_NAMES)[number];
/** The log histogram's ranges: the severity names plus "unspecified" (SeverityNumber 0). */
export const LOG_HISTOGRAM_RANGES = ["unspecified", ...LOG_SEVERITY_NAMES] as const;
