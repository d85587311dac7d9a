import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Encoding } from "../decode";
import type { Config } from "../platform/config";
import type { SelfMetrics } from "../platform/self-metrics";
import type { SpanHandle } from "../platform/self-tracing";
import { readBodyTraced, withIngestSpan } from "./ingest-span";
import { BodyError } from "./read-body";
import { encodeExportResponse, encodeStatusBody, RpcCode } from "./otlp-response";
import type { Signal } from "./writer/protocol";
import type { WriterClient } from "./writer/writer-client";

export interface IngestDeps {
  config: Config;
  writer: WriterClient;
  metrics: SelfMetrics;
  /** Ingest-key check (CARTOGRAPH_INGEST_AUTH=keys); absent: every sender is accepted. */
  checkIngestKey?: (key: string | undefined) => Promise<IngestKeyVerdict>;
}

export type IngestKeyVerdict =
  { ok: true } | { ok: false; status: 401 | 429; message: string; retryAfterSeconds?: number };

/** The ingest key a sender presents: `Authorization: Bearer <key>` or `x-cartograph-ingest-key` (HTTP headers and gRPC metadata alike). */
export function readIngestKey(get: (name: string) => string | undefined): string | undefined {
  const direct = get("x-cartograph-ingest-key")?.trim();
  if (direct) return direct;
  return /^Bearer\s+(\S+)\s*$/i.exec(get("authorization") ?? "")?.[1];
}

const CONTENT_TYPES: Record<Encoding, string> = { protobuf: "application/x-protobuf", json: "application/json" };

function mediaType(header: string | undefined): Encoding | null {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  return null;
}

/** Returns the signal for an OTLP path on this server, or null. */
export function matchOtlpPath(pathname: string, config: Config): Signal | null {
  if (pathname === config.CARTOGRAPH_OTLP_TRACES_PATH) return "traces";
  if (pathname === config.CARTOGRAPH_OTLP_METRICS_PATH) return "metrics";
  if (pathname === config.CARTOGRAPH_OTLP_LOGS_PATH) return "logs";
  return null;
}

/**
 * OTLP/HTTP as the specification defines it: POST only; protobuf or JSON by media type;
 * gzip or identity; the decompressed size capped (413); answers in the request's encoding;
 * partial success; 400 for malformed data; 503 + Retry-After when the write queue is full
 * or the store is briefly unavailable (never 500 for a transient problem).
 * Traced as `ingest <signal>` (read, writer-side decode/queue/commit, acknowledge), except
 * exports of self-traces, which are never traced (no feedback loop).
 */
export function handleOtlpHttp(
  req: IncomingMessage,
  res: ServerResponse,
  signal: Signal,
  deps: IngestDeps,
): Promise<void> {
  return withIngestSpan(req, signal, "http", (span) => serveOtlpHttp(req, res, signal, deps, span));
}

async function serveOtlpHttp(
  req: IncomingMessage,
  res: ServerResponse,
  signal: Signal,
  deps: IngestDeps,
  span: SpanHandle,
): Promise<void> {
  const { config, writer, metrics } = deps;
  const started = process.hrtime.bigint();
  const transport = "http";
  const encoding = mediaType(req.headers["content-type"]) ?? "json";
  const send = (status: number, body: Uint8Array | string, headers: Record<string, string> = {}) => {
    metrics.requests.inc({ signal, transport, code: String(status) });
    metrics.requestSeconds.observe({ signal, transport }, Number(process.hrtime.bigint() - started) / 1e9);
    span.setAttributes({ "http.response.status_code": status });
    res.writeHead(status, {
      "content-type": CONTENT_TYPES[encoding],
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  };
  const fail = (status: number, code: number, message: string, headers: Record<string, string> = {}) => {
    req.resume();
    if (status >= 500) span.fail(message);
    send(status, encodeStatusBody(encoding, code, message), headers);
  };

  if (req.method !== "POST")
    return fail(405, RpcCode.UNIMPLEMENTED, `${req.method} is not supported; use POST`, { allow: "POST" });
  if (mediaType(req.headers["content-type"]) === null) {
    metrics.itemsRejected.inc({ signal, reason: "unsupported_media_type" });
    return fail(
      415,
      RpcCode.INVALID_ARGUMENT,
      `unsupported content type ${JSON.stringify(req.headers["content-type"] ?? "")}; use application/x-protobuf or application/json`,
    );
  }
  const ce = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (ce !== "gzip" && ce !== "identity" && ce !== "") {
    return fail(400, RpcCode.INVALID_ARGUMENT, `unsupported Content-Encoding ${JSON.stringify(ce)}; use gzip or none`);
  }
  const retryAfter = { "retry-after": String(config.CARTOGRAPH_RETRY_AFTER_SECONDS) };
  if (deps.checkIngestKey) {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const verdict = await deps.checkIngestKey(readIngestKey(header));
    if (!verdict.ok) {
      metrics.itemsRejected.inc({ signal, reason: verdict.status === 429 ? "rate_limited" : "unauthenticated" });
      const headers: Record<string, string> =
        verdict.status === 429
          ? { "retry-after": String(verdict.retryAfterSeconds ?? 1) }
          : { "www-authenticate": 'Bearer realm="cartograph-ingest"' };
      return fail(
        verdict.status,
        verdict.status === 429 ? RpcCode.RESOURCE_EXHAUSTED : RpcCode.UNAUTHENTICATED,
        verdict.message,
        headers,
      );
    }
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (ce !== "gzip" && declared > config.CARTOGRAPH_MAX_BODY_BYTES) {
    metrics.itemsRejected.inc({ signal, reason: "too_large" });
    return fail(
      413,
      RpcCode.INVALID_ARGUMENT,
      `request body of ${declared} bytes is over the ${config.CARTOGRAPH_MAX_BODY_BYTES}-byte limit`,
    );
  }
  // Shed before reading the body: under overload the cheapest answer is the right one.
  if (writer.isOverloaded(declared)) {
    metrics.itemsRejected.inc({ signal, reason: "overload" });
    return fail(503, RpcCode.UNAVAILABLE, "write queue full, retry shortly", retryAfter);
  }
  let body: Buffer;
  try {
    body = await readBodyTraced(req, ce === "gzip" ? "gzip" : "identity", config.CARTOGRAPH_MAX_BODY_BYTES, span);
  } catch (e) {
    const err = e instanceof BodyError ? e : new BodyError(400, String(e));
    metrics.itemsRejected.inc({ signal, reason: err.status === 413 ? "too_large" : "malformed" });
    return fail(err.status, RpcCode.INVALID_ARGUMENT, err.message);
  }
  metrics.receivedBytes.inc({ signal, transport }, body.length);
  const result = await writer.submit(signal, encoding, body, "otlp", span.traceparent);
  if (result.ok) {
    span.setAttributes({ "cartograph.items": result.accepted, "cartograph.items.rejected": result.rejected });
    return span.child("ingest.acknowledge", {}, () =>
      send(200, encodeExportResponse(signal, encoding, result.rejected, result.message)),
    );
  }
  if (result.status === 400) {
    metrics.itemsRejected.inc({ signal, reason: "malformed" });
    return fail(400, RpcCode.INVALID_ARGUMENT, result.message);
  }
  metrics.itemsRejected.inc({ signal, reason: "overload" });
  return fail(503, RpcCode.UNAVAILABLE, result.message, retryAfter);
}
