import "server-only";
export * from "./types";
export { readSemconv, normalizeHost, parseUrlHost, isLoopbackHost, isIpLiteral, type Semconv } from "./semconv";
export { normalizeTraces, readResource, type NormalizeResult } from "./normalize-traces";
export { normalizeMetrics } from "./normalize-metrics";
export { AttributeDepthError, type AttributeLimits, type AttributeStats } from "./attributes";
