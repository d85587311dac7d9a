import "server-only";
export {
  decodeTraceRequest,
  decodeMetricsRequest,
  DecodeError,
  type Encoding,
  type OtlpObject,
} from "./decode-request";
// The codec generated from proto/: the reference decoder, and the encoder for responses and tests.
export {
  TraceRequest,
  TraceResponse,
  MetricsRequest,
  MetricsResponse,
  LogsRequest,
  LogsResponse,
  encodeRpcStatus,
} from "./otlp-codec";
export { decodeLogsRequest } from "./decode-logs";
export {
  decodeZipkinSpans,
  describeSpan,
  ListOfSpans,
  type ZipkinSpan,
  type ZipkinEndpoint,
  type ZipkinKind,
} from "./zipkin";
