import "server-only";
import { encodeRpcStatus, LogsResponse, MetricsResponse, TraceResponse, type Encoding } from "../decode";
import type { Signal } from "./writer/protocol";

/** gRPC status codes used in OTLP error bodies. */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** Export*ServiceResponse with partial_success set only when something was rejected. */
export function encodeExportResponse(
  signal: Signal,
  encoding: Encoding,
  rejected: number,
  message: string,
): Uint8Array | string {
  const field = signal === "traces" ? "rejectedSpans" : signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints";
  const partial = rejected > 0 || message ? { [field]: rejected, errorMessage: message } : undefined;
  if (encoding === "json") {
    return JSON.stringify(partial ? { partialSuccess: { [field]: String(rejected), errorMessage: message } } : {});
  }
  const body = partial ? { partialSuccess: partial } : {};
  if (signal === "traces") return TraceResponse.encode(body).finish();
  return signal === "logs" ? LogsResponse.encode(body).finish() : MetricsResponse.encode(body).finish();
}

export function encodeStatusBody(encoding: Encoding, code: number, message: string): Uint8Array | string {
  return encoding === "json" ? JSON.stringify({ code, message }) : encodeRpcStatus(code, message);
}
