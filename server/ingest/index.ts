import "server-only";
export { handleOtlpHttp, matchOtlpPath, type IngestDeps } from "./otlp-http";
export { startOtlpGrpc } from "./otlp-grpc";
export { startWriter, type WriterClient } from "./writer/writer-client";
export type { WriterStats } from "./writer/protocol";
export { handleZipkinHttp, ZIPKIN_SPANS_PATH } from "./zipkin-http";
