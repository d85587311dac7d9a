import "server-only";
export { decodeTraceRequest, decodeMetricsRequest, DecodeError, type Encoding, type OtlpObject } from "./decode-request";
export { TraceRequest, TraceResponse, MetricsRequest, MetricsResponse, encodeRpcStatus } from "./proto-root";
