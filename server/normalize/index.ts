import "server-only";
export * from "./types";
export { readSemconv, normalizeHost, parseUrlHost, isLoopbackHost, isIpLiteral, type Semconv } from "./semconv";
export { normalizeTraces, readResource, type NormalizeResult } from "./normalize-traces";
export { normalizeMetrics } from "./normalize-metrics";
export { AttributeDepthError, type AttributeLimits, type AttributeStats } from "./attributes";
export { normalizeLogs, NESTED_TOO_DEEP, type LogLimits } from "./normalize-logs";
export { SEVERITY_NAMES, severityFloor, severityName, type LogRecord, type SeverityName } from "./log-types";
export { normalizeZipkin, deriveSharedSpanId, type ZipkinContext, type StoredTimesLookup } from "./normalize-zipkin";
