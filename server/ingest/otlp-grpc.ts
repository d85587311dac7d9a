import "server-only";
import * as grpc from "@grpc/grpc-js";
import { encodeExportResponse } from "./otlp-response";
import { readIngestKey, type IngestDeps, type IngestKeyVerdict } from "./otlp-http";
import type { Signal } from "./writer/protocol";
import { withSpan, type SpanHandle } from "../platform/self-tracing";

const passthrough = {
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

function exportMethod(path: string): grpc.MethodDefinition<Buffer, Buffer> {
  return { path, requestStream: false, responseStream: false, originalName: "Export", ...passthrough };
}

const TRACE_SERVICE = { Export: exportMethod("/opentelemetry.proto.collector.trace.v1.TraceService/Export") };
const METRICS_SERVICE = { Export: exportMethod("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export") };
const LOGS_SERVICE = { Export: exportMethod("/opentelemetry.proto.collector.logs.v1.LogsService/Export") };

/**
 * OTLP/gRPC: with ingest keys on, the key comes from the call's metadata (UNAUTHENTICATED
 * without a valid one, RESOURCE_EXHAUSTED over its rate). The request bytes go to the writer
 * thread undecoded (decode happens there); malformed data → INVALID_ARGUMENT, overload or a
 * busy store → UNAVAILABLE (retryable). Each call is self-traced as `ingest <signal>`, like OTLP/HTTP.
 */
export function startOtlpGrpc(
  host: string,
  port: number,
  deps: IngestDeps,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": deps.config.CARTOGRAPH_MAX_BODY_BYTES,
  });
  const handler =
    (signal: Signal): grpc.handleUnaryCall<Buffer, Buffer> =>
    (call, callback) => {
      const attributes = {
        "cartograph.signal": signal,
        "cartograph.transport": "grpc",
        "cartograph.request.bytes": call.request.length,
      };
      // Explicit, like the HTTP receivers (ingest-span.ts): the span is passed, never entered.
      void withSpan(`ingest ${signal}`, attributes, (span) => exportCall(signal, call, callback, span), {
        kind: "server",
        root: true,
        explicit: true,
      });
    };
  const exportCall = (
    signal: Signal,
    call: grpc.ServerUnaryCall<Buffer, Buffer>,
    callback: grpc.sendUnaryData<Buffer>,
    span: SpanHandle,
  ): Promise<void> => {
    const started = process.hrtime.bigint();
    const done = (code: string) => {
      span.setAttributes({ "rpc.grpc.status_code": grpc.status[code as keyof typeof grpc.status] as number });
      deps.metrics.requests.inc({ signal, transport: "grpc", code });
      deps.metrics.requestSeconds.observe(
        { signal, transport: "grpc" },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    };
    const metadataValue = (name: string) => {
      const v = call.metadata.get(name)[0];
      return typeof v === "string" ? v : undefined;
    };
    const keyCheck: Promise<IngestKeyVerdict> = deps.checkIngestKey
      ? deps.checkIngestKey(readIngestKey(metadataValue))
      : Promise.resolve({ ok: true });
    return keyCheck
      .then(async (verdict) => {
        if (!verdict.ok) {
          const limited = verdict.status === 429;
          const code = limited ? grpc.status.RESOURCE_EXHAUSTED : grpc.status.UNAUTHENTICATED;
          done(grpc.status[code]!);
          deps.metrics.itemsRejected.inc({ signal, reason: limited ? "rate_limited" : "unauthenticated" });
          return callback({ code, details: verdict.message });
        }
        deps.metrics.receivedBytes.inc({ signal, transport: "grpc" }, call.request.length);
        const r = await deps.writer.submit(signal, "protobuf", call.request, "otlp", span.traceparent);
        if (r.ok) {
          done("OK");
          span.setAttributes({ "cartograph.items": r.accepted, "cartograph.items.rejected": r.rejected });
          return span.child("ingest.acknowledge", {}, () =>
            callback(null, Buffer.from(encodeExportResponse(signal, "protobuf", r.rejected, r.message) as Uint8Array)),
          );
        }
        if (r.status !== 400) span.fail(r.message);
        const code = r.status === 400 ? grpc.status.INVALID_ARGUMENT : grpc.status.UNAVAILABLE;
        done(grpc.status[code]!);
        deps.metrics.itemsRejected.inc({ signal, reason: r.status === 400 ? "malformed" : "overload" });
        callback({ code, details: r.message });
      })
      .catch((e: Error) => {
        done("UNAVAILABLE");
        span.fail(e.message);
        callback({ code: grpc.status.UNAVAILABLE, details: e.message });
      });
  };
  server.addService(TRACE_SERVICE, { Export: handler("traces") });
  server.addService(METRICS_SERVICE, { Export: handler("metrics") });
  server.addService(LOGS_SERVICE, { Export: handler("logs") });
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `${host.includes(":") ? `[${host}]` : host}:${port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, bound) => {
        if (err) return reject(err);
        resolve({ server, port: bound });
      },
    );
  });
}
