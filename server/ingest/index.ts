import "server-only";
export { handleOtlpHttp, matchOtlpPath, readIngestKey, type IngestDeps, type IngestKeyVerdict } from "./otlp-http";
export { startOtlpGrpc } from "./otlp-grpc";
export { startWriter, type WriterClient } from "./writer/writer-client";
export type { WriterStats } from "./writer/protocol";
export { handleZipkinHttp, ZIPKIN_SPANS_PATH } from "./zipkin-http";
