import "server-only";
import { DecodeError } from "../decode";
import { AttributeDepthError, type AttributeLimits, type AttributeStats } from "./attributes";
import { readKeyValues, type Ranges } from "./decode-otlp-values";
import { MAX_STORABLE_NANOS } from "./ids";
import { readResource, type NormalizeResult } from "./normalize-traces";
import { ProtobufError, ProtobufReader } from "./protobuf-reader";
import type { ResourceInfo, Span, SpanEvent, SpanKindValue, SpanLink, StatusCodeValue } from "./types";

/**
 * OTLP/protobuf ExportTraceServiceRequest bytes → domain spans in one pass, without the
 * generic message objects: the same spans, rejections, reasons and attribute counts as
 * `normalizeTraces(decodeTraceRequest(body, "protobuf"))` (the reference it is tested
 * against), at a fraction of the CPU and allocations. Resource and scope may follow their
 * spans on the wire, so each ResourceSpans / ScopeSpans is scanned for their ranges first;
 * a span's attributes are converted only once its ids, kind, status and times pass.
 * Bytes that are not protobuf throw DecodeError (the whole request is rejected).
 */
export function decodeTraceSpans(
  body: Uint8Array,
  limits: AttributeLimits,
  stats: AttributeStats,
): NormalizeResult<Span> {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const out: Decoding = { items: [], rejected: 0, reasons: [], limits, stats };
  const r = new ProtobufReader(buf);
  try {
    while (r.pos < buf.length) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | 2)) {
        const end = r.bytesEnd();
        readResourceSpans(r, end, out);
        r.pos = end;
      } else r.skip(tag & 7);
    }
  } catch (e) {
    if (e instanceof ProtobufError || e instanceof RangeError)
      throw new DecodeError(`ExportTraceServiceRequest: malformed protobuf: ${e.message}`);
    throw e;
  }
  return { items: out.items, rejected: out.rejected, reasons: out.reasons };
}

interface Decoding extends NormalizeResult<Span> {
  limits: AttributeLimits;
  stats: AttributeStats;
}

const MAX_REASONS = 5;

function reject(out: Decoding, why: string): void {
  out.rejected++;
  if (out.reasons.length < MAX_REASONS && !out.reasons.includes(why)) out.reasons.push(why);
}

function readResourceSpans(r: ProtobufReader, end: number, out: Decoding): void {
  const resourceAttrs: Ranges = [];
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      // Resource { attributes = 1 }: repeated occurrences merge (protobuf semantics).
      const rEnd = r.bytesEnd();
      while (r.pos < rEnd) {
        const t = r.uint32();
        if (t === ((1 << 3) | 2)) {
          const kvEnd = r.bytesEnd();
          resourceAttrs.push(r.pos, kvEnd);
          r.pos = kvEnd;
        } else r.skip(t & 7);
      }
      r.pos = rEnd;
    } else if (tag === ((2 << 3) | 2)) {
      const sEnd = r.bytesEnd();
      scopes.push(r.pos, sEnd);
      r.pos = sEnd;
    } else r.skip(tag & 7);
  }
  let resource: ResourceInfo;
  try {
    resource = readResource(readKeyValues(r, resourceAttrs, out.limits, out.stats));
  } catch (e) {
    if (!(e instanceof AttributeDepthError)) throw e;
    for (let i = 0; i < scopes.length; i += 2) {
      const n = countSpans(r, scopes[i]!, scopes[i + 1]!);
      for (let k = 0; k < n; k++) reject(out, "resource " + e.message);
    }
    return;
  }
  for (let i = 0; i < scopes.length; i += 2) readScopeSpans(r, scopes[i]!, scopes[i + 1]!, resource, out);
}

function countSpans(r: ProtobufReader, start: number, end: number): number {
  let n = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | 2)) n++;
    r.skip(tag & 7);
  }
  return n;
}

function readScopeSpans(r: ProtobufReader, start: number, end: number, resource: ResourceInfo, out: Decoding): void {
  let name: string | null = null;
  let version: string | null = null;
  const spans: number[] = [];
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) {
      const sEnd = r.bytesEnd();
      while (r.pos < sEnd) {
        const t = r.uint32();
        if (t === ((1 << 3) | 2)) name = r.string();
        else if (t === ((2 << 3) | 2)) version = r.string();
        else r.skip(t & 7);
      }
      r.pos = sEnd;
    } else if (tag === ((2 << 3) | 2)) {
      const spanEnd = r.bytesEnd();
      spans.push(r.pos, spanEnd);
      r.pos = spanEnd;
    } else r.skip(tag & 7);
  }
  const scope = { name: name ?? "", version: version ?? "" };
  for (let i = 0; i < spans.length; i += 2) readSpan(r, spans[i]!, spans[i + 1]!, scope, resource, out);
}

/** Ranges [start, end) of one span's repeated fields, reused across spans. */
const attrRanges: Ranges = [];
const eventRanges: Ranges = [];
const linkRanges: Ranges = [];

function readSpan(
  r: ProtobufReader,
  start: number,
  end: number,
  scope: Span["scope"],
  resource: ResourceInfo,
  out: Decoding,
): void {
  const buf = r.buf;
  let traceStart = -1;
  let traceEnd = -1;
  let spanStart = -1;
  let spanEnd = -1;
  let parentStart = -1;
  let parentEnd = -1;
  let name: string | null = null;
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  let statusCode = 0;
  let statusMessage: string | null = null;
  attrRanges.length = 0;
  eventRanges.length = 0;
  linkRanges.length = 0;
  r.pos = start;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2:
        traceEnd = r.bytesEnd();
        traceStart = r.pos;
        r.pos = traceEnd;
        break;
      case (2 << 3) | 2:
        spanEnd = r.bytesEnd();
        spanStart = r.pos;
        r.pos = spanEnd;
        break;
      case (4 << 3) | 2:
        parentEnd = r.bytesEnd();
        parentStart = r.pos;
        r.pos = parentEnd;
        break;
      case (5 << 3) | 2:
        name = r.string();
        break;
      case (6 << 3) | 0:
        kind = r.int32();
        break;
      case (7 << 3) | 1:
        startNs = r.fixed64();
        break;
      case (8 << 3) | 1:
        endNs = r.fixed64();
        break;
      case (9 << 3) | 2:
      case (11 << 3) | 2:
      case (13 << 3) | 2: {
        const fEnd = r.bytesEnd();
        (tag === ((9 << 3) | 2) ? attrRanges : tag === ((11 << 3) | 2) ? eventRanges : linkRanges).push(r.pos, fEnd);
        r.pos = fEnd;
        break;
      }
      case (15 << 3) | 2: {
        // Status { message = 2, code = 3 }: a repeated status merges field by field.
        const sEnd = r.bytesEnd();
        while (r.pos < sEnd) {
          const t = r.uint32();
          if (t === ((2 << 3) | 2)) statusMessage = r.string();
          else if (t === ((3 << 3) | 0)) statusCode = r.int32();
          else r.skip(t & 7);
        }
        r.pos = sEnd;
        break;
      }
      default:
        r.skip(tag & 7);
    }
  }
  // The same checks, in the same order, as normalizeTraces.
  const traceId = readIdRange(buf, traceStart, traceEnd, 16);
  if (!traceId) return reject(out, "invalid trace id (must be 16 non-zero bytes)");
  const spanId = readIdRange(buf, spanStart, spanEnd, 8);
  if (!spanId) return reject(out, "invalid span id (must be 8 non-zero bytes)");
  let parentSpanId: string | null = null;
  if (parentStart >= 0 && parentEnd > parentStart) {
    parentSpanId = readIdRange(buf, parentStart, parentEnd, 8);
    if (!parentSpanId) return reject(out, "invalid parent span id (must be empty or 8 non-zero bytes)");
  }
  if (kind < 0 || kind > 5) return reject(out, "span kind must be an integer 0..5");
  if (statusCode < 0 || statusCode > 2) return reject(out, "status code must be an integer 0..2");
  if (endNs < startNs) return reject(out, "span ends before it starts");
  if (endNs > MAX_STORABLE_NANOS) {
    return reject(out, "timestamp beyond the year 2262 (more than a signed 64-bit nanosecond count)");
  }
  try {
    // The lists are module scratch: read them before anything below can reuse them.
    const attributes = readKeyValues(r, attrRanges, out.limits, out.stats);
    const events = eventRanges.length ? readEvents(r, eventRanges.slice(), out) : [];
    const links = linkRanges.length ? readLinks(r, linkRanges.slice(), out) : [];
    out.items.push({
      traceId,
      spanId,
      parentSpanId,
      name: name ?? "",
      kind: kind as SpanKindValue,
      startNs,
      endNs,
      statusCode: statusCode as StatusCodeValue,
      statusMessage: statusMessage ?? "",
      attributes,
      events,
      links,
      scope,
      resource,
    });
  } catch (e) {
    if (!(e instanceof AttributeDepthError)) throw e;
    reject(out, e.message);
  }
}

/** An id's bytes → lowercase hex, or null when absent, of another length, or all zeros. */
function readIdRange(buf: Buffer, start: number, end: number, bytes: number): string | null {
  if (start < 0 || end - start !== bytes) return null;
  for (let i = start; i < end; i++) if (buf[i] !== 0) return buf.hexSlice(start, end);
  return null;
}

function readEvents(r: ProtobufReader, ranges: Ranges, out: Decoding): SpanEvent[] {
  const events: SpanEvent[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    let time = 0n;
    let name: string | null = null;
    const attrs: Ranges = [];
    r.pos = ranges[i]!;
    const end = ranges[i + 1]!;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | 1)) time = r.fixed64();
      else if (tag === ((2 << 3) | 2)) name = r.string();
      else if (tag === ((3 << 3) | 2)) {
        const kvEnd = r.bytesEnd();
        attrs.push(r.pos, kvEnd);
        r.pos = kvEnd;
      } else r.skip(tag & 7);
    }
    events.push({ timeUnixNano: time, name: name ?? "", attributes: readKeyValues(r, attrs, out.limits, out.stats) });
  }
  return events;
}

function readLinks(r: ProtobufReader, ranges: Ranges, out: Decoding): SpanLink[] {
  const links: SpanLink[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    let trace: [number, number] = [-1, -1];
    let span: [number, number] = [-1, -1];
    const attrs: Ranges = [];
    r.pos = ranges[i]!;
    const end = ranges[i + 1]!;
    while (r.pos < end) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | 2) || tag === ((2 << 3) | 2) || tag === ((4 << 3) | 2)) {
        const fEnd = r.bytesEnd();
        if (tag === ((1 << 3) | 2)) trace = [r.pos, fEnd];
        else if (tag === ((2 << 3) | 2)) span = [r.pos, fEnd];
        else attrs.push(r.pos, fEnd);
        r.pos = fEnd;
      } else r.skip(tag & 7);
    }
    const traceId = readIdRange(r.buf, trace[0], trace[1], 16);
    const spanId = readIdRange(r.buf, span[0], span[1], 8);
    if (traceId && spanId) links.push({ traceId, spanId, attributes: readKeyValues(r, attrs, out.limits, out.stats) });
  }
  return links;
}
