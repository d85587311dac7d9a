import "server-only";
export { getServices, serviceExists, environmentKey, SERVED_KINDS, type ServiceSummary } from "./services";
export { getEdgeTimeseries, edgeExists, type EdgePoint } from "./edge-timeseries";
export { getOperations, type OperationSummary } from "./operations";
export { getServiceTimeseries, chooseStepSeconds, type TimeseriesPoint } from "./timeseries";
export { searchTraces, getTrace, type TraceSearch, type TraceSummary } from "./traces";
export { listMetrics, queryMetric, defaultAggregation, type MetricAggregation, type MetricInfo } from "./metrics";
export { rateHealth, HEALTH_THRESHOLDS, type Health } from "./health";
export {
  addRow,
  createAccumulator,
  toRedStats,
  minuteRange,
  windowSeconds,
  type RedStats,
  type RedAccumulator,
} from "./red-stats";
export { getServiceMap, type ServiceMapQuery } from "./service-map";
export { summarizeServiceMap } from "./service-map-summary";
export { getServiceMapDiff } from "./service-map-diff";
export { getTraceServiceMap, rebuildServiceMap } from "./service-map-rebuild";
export { getLogs, getTraceLogs, getLogHistogram, chooseLogStepSeconds, isLogCursor, type LogQuery } from "./logs";
export * from "./jaeger";
export { MapLayoutService, LayoutUnavailableError, type MapLayoutOptions } from "./map-layout/layout-service";
