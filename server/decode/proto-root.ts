import "server-only";
import { createRequire } from "node:module";

/**
 * The OTLP protobuf codec: the protobufjs static module generated for OTLP, shipped by
 * @opentelemetry/otlp-transformer@0.52.1 (pinned: later versions no longer carry it).
 * fixed64 fields decode to Long objects (the `long` package is installed), which
 * normalize turns into exact bigint nanoseconds.
 */
const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const root: any = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const protobuf = require("protobufjs/minimal");

export const otlp = root.opentelemetry.proto;
export const TraceRequest = otlp.collector.trace.v1.ExportTraceServiceRequest;
export const TraceResponse = otlp.collector.trace.v1.ExportTraceServiceResponse;
export const MetricsRequest = otlp.collector.metrics.v1.ExportMetricsServiceRequest;
export const MetricsResponse = otlp.collector.metrics.v1.ExportMetricsServiceResponse;
export const LogsRequest = otlp.collector.logs.v1.ExportLogsServiceRequest;
export const LogsResponse = otlp.collector.logs.v1.ExportLogsServiceResponse;

/** google.rpc.Status {code=1, message=2}: not in the generated root, so encoded by hand. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const w = protobuf.Writer.create();
  if (code !== 0) w.uint32(8).int32(code);
  if (message) w.uint32(18).string(message);
  return w.finish();
}
