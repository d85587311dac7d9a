/**
 * The UI's names for the API's answers, every one inferred from the contract (lib/contract):
 * the schemas the server validates its answers with are the only definition of these shapes.
 * Client-safe: zod schemas only, no server imports.
 */
import type { contract, ResponseOf } from "./contract";

export type {
  Attributes,
  Completeness,
  EdgeProtocol,
  Health,
  MapChange,
  MapEdge,
  MapEdgeSummary,
  MapNode,
  MapNodeSummary,
  MetricAggregation,
  MetricSeries,
  MetricType,
  NodeKind,
  OperationSummary,
  RedPoint,
  RedStats,
  ServiceSummary,
  SpanKindName,
  TraceSpan,
  TraceSummary,
  ErrorBody as ApiErrorBody,
  ChangeReason as MapChangeReason,
  MetricInfo as MetricDescriptor,
} from "./contract";

export type ServicesResponse = ResponseOf<typeof contract.getServices>;
export type OperationsResponse = ResponseOf<typeof contract.getOperations>;
export type TimeseriesResponse = ResponseOf<typeof contract.getServiceTimeseries>;
export type TracesResponse = ResponseOf<typeof contract.searchTraces>;
export type TraceResponse = ResponseOf<typeof contract.getTrace>;
export type MetricsResponse = ResponseOf<typeof contract.listMetrics>;
export type MetricQueryResponse = ResponseOf<typeof contract.queryMetric>;
export type ServiceMapResponse = ResponseOf<typeof contract.getServiceMap>;
export type ServiceMapSummaryResponse = ResponseOf<typeof contract.getServiceMapSummary>;
export type ServiceMapDiffResponse = ResponseOf<typeof contract.getServiceMapDiff>;
