import "server-only";
export { decodeTraceRequest, decodeMetricsRequest, DecodeError, type Encoding, type OtlpObject } from "./decode-request";
export { TraceRequest, TraceResponse, MetricsRequest, MetricsResponse, LogsRequest, LogsResponse, encodeRpcStatus } from "./proto-root";
export { decodeLogsRequest } from "./decode-logs";
export { decodeZipkinSpans, describeSpan, ListOfSpans, type ZipkinSpan, type ZipkinEndpoint, type ZipkinKind } from "./zipkin";
