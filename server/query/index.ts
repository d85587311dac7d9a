import "server-only";
export { getServices, serviceExists, SERVED_KINDS, type ServiceSummary } from "./services";
export { getOperations, type OperationSummary } from "./operations";
export { getServiceTimeseries, chooseStepSeconds, type TimeseriesPoint } from "./timeseries";
export { searchTraces, getTrace, type TraceSearch, type TraceSummary } from "./traces";
export { listMetrics, queryMetric, defaultAggregation, type MetricAggregation, type MetricInfo } from "./metrics";
export { rateHealth, HEALTH_THRESHOLDS, type Health } from "./health";
export { addRow, createAccumulator, toRedStats, minuteRange, windowSeconds, type RedStats, type RedAccumulator } from "./red-stats";
