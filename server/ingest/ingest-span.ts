import "server-only";
import type { IncomingMessage } from "node:http";
import { SELF_TRACE_HEADER, withoutTracing, withSpan, type SpanHandle } from "../platform/self-tracing";
import { readBody } from "./read-body";

/**
 * Self-tracing of one HTTP ingest request (OTLP, Zipkin): a server span `ingest <signal>`
 * whose children are the body read here, the writer thread's decode / queue wait / commit
 * (through the traceparent the writer client sends) and the acknowledgement. Exports of
 * self-traces (SELF_TRACE_HEADER) are never traced: no feedback loop.
 */
export function withIngestSpan(
  req: IncomingMessage,
  signal: string,
  transport: string,
  fn: (span: SpanHandle) => Promise<void>,
): Promise<void> {
  if (req.headers[SELF_TRACE_HEADER] !== undefined) return withoutTracing(fn);
  const attributes = {
    "cartograph.signal": signal,
    "cartograph.transport": transport,
    "http.request.method": req.method ?? "",
  };
  // Explicit: the request's span travels as `span` (children, the writer's traceparent), so the
  // hot path never enters the context store (self-tracing.ts).
  return withSpan(`ingest ${signal}`, attributes, fn, { kind: "server", root: true, explicit: true });
}

/** readBody inside an `ingest.read` child of the request's span that reports the decompressed size. */
export function readBodyTraced(
  req: IncomingMessage,
  encoding: "gzip" | "identity",
  maxBytes: number,
  request: SpanHandle,
): Promise<Buffer> {
  return request.child("ingest.read", { "cartograph.content_encoding": encoding }, async (span) => {
    const body = await readBody(req, encoding, maxBytes);
    span.setAttributes({ "cartograph.request.bytes": body.length });
    return body;
  });
}
