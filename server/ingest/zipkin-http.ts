import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Encoding } from "../decode";
import { BodyError } from "./read-body";
import { readIngestKey, type IngestDeps } from "./otlp-http";
import type { SpanHandle } from "../platform/self-tracing";
import { readBodyTraced, withIngestSpan } from "./ingest-span";

/** The Zipkin v2 collector path (zipkin-api). */
export const ZIPKIN_SPANS_PATH = "/api/v2/spans";

function mediaType(header: string | undefined): Encoding | null {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  // Zipkin's own collector reads a body without a content type as JSON.
  if (type === "" || type === "application/json") return "json";
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  return null;
}

/**
 * POST /api/v2/spans as Zipkin's collector answers it (plus ingest keys when required: 401, or
 * 429 + Retry-After over the key's rate): 202 with an empty body once the spans
 * are committed; plain-text 400 naming the span and field for malformed input; 413 over the
 * body cap; 415 for other media types (v1 Thrift included); 503 + Retry-After when the write
 * queue is full. The body goes through the same writer (limits, durability, self-metrics) as
 * OTLP; only the decoder differs. Self-traced like OTLP (transport `zipkin`).
 */
export function handleZipkinHttp(req: IncomingMessage, res: ServerResponse, deps: IngestDeps): Promise<void> {
  return withIngestSpan(req, "traces", "zipkin", (span) => serveZipkinHttp(req, res, deps, span));
}

async function serveZipkinHttp(
  req: IncomingMessage,
  res: ServerResponse,
  deps: IngestDeps,
  span: SpanHandle,
): Promise<void> {
  const { config, writer, metrics } = deps;
  const started = process.hrtime.bigint();
  const signal = "traces";
  const transport = "zipkin";
  const send = (status: number, text: string, headers: Record<string, string> = {}) => {
    metrics.requests.inc({ signal, transport, code: String(status) });
    metrics.requestSeconds.observe({ signal, transport }, Number(process.hrtime.bigint() - started) / 1e9);
    span.setAttributes({ "http.response.status_code": status });
    if (status >= 500) span.fail(text);
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };
  const fail = (status: number, message: string, reason: string | null, headers: Record<string, string> = {}) => {
    if (reason) metrics.itemsRejected.inc({ signal, reason });
    req.resume();
    send(status, message, headers);
  };
  if (req.method !== "POST")
    return fail(405, `${req.method} is not supported on ${ZIPKIN_SPANS_PATH}; use POST`, null, { allow: "POST" });
  if (deps.checkIngestKey) {
    const verdict = await deps.checkIngestKey(readIngestKey((name) => [req.headers[name]].flat()[0]));
    if (!verdict.ok) {
      const limited = verdict.status === 429;
      const headers: Record<string, string> = limited
        ? { "retry-after": String(verdict.retryAfterSeconds ?? 1) }
        : { "www-authenticate": 'Bearer realm="cartograph-ingest"' };
      return fail(verdict.status, verdict.message, limited ? "rate_limited" : "unauthenticated", headers);
    }
  }
  const encoding = mediaType(req.headers["content-type"]);
  if (encoding === null) {
    return fail(
      415,
      `unsupported content type ${JSON.stringify(req.headers["content-type"])}; use application/json (Zipkin v2 JSON) or application/x-protobuf (zipkin.proto3 ListOfSpans)`,
      "unsupported_media_type",
    );
  }
  const ce = (req.headers["content-encoding"] ?? "identity").toLowerCase().trim();
  if (ce !== "gzip" && ce !== "identity" && ce !== "")
    return fail(400, `unsupported Content-Encoding ${JSON.stringify(ce)}; use gzip or none`, "malformed");
  const retryAfter = { "retry-after": String(config.CARTOGRAPH_RETRY_AFTER_SECONDS) };
  const declared = Number(req.headers["content-length"] ?? 0);
  if (ce !== "gzip" && declared > config.CARTOGRAPH_MAX_BODY_BYTES) {
    return fail(
      413,
      `request body of ${declared} bytes is over the ${config.CARTOGRAPH_MAX_BODY_BYTES}-byte limit`,
      "too_large",
    );
  }
  if (writer.isOverloaded(declared)) return fail(503, "write queue full, retry shortly", "overload", retryAfter);
  let body: Buffer;
  try {
    body = await readBodyTraced(req, ce === "gzip" ? "gzip" : "identity", config.CARTOGRAPH_MAX_BODY_BYTES, span);
  } catch (e) {
    const err = e instanceof BodyError ? e : new BodyError(400, String(e));
    return fail(err.status, err.message, err.status === 413 ? "too_large" : "malformed");
  }
  metrics.receivedBytes.inc({ signal, transport }, body.length);
  const result = await writer.submit(signal, encoding, body, "zipkin", span.traceparent);
  if (result.ok) {
    span.setAttributes({ "cartograph.items": result.accepted, "cartograph.items.rejected": result.rejected });
    return span.child("ingest.acknowledge", {}, () => send(202, ""));
  }
  if (result.status === 400) return fail(400, result.message, "malformed");
  return fail(503, result.message, "overload", retryAfter);
}
