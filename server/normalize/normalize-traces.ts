import "server-only";
import { AttributeDepthError, convertAttributes, type AttributeLimits, type AttributeStats } from "./attributes";
import { MAX_STORABLE_NANOS, readId, readNanos, readParentId } from "./ids";
import type { Attributes, ResourceInfo, Span, SpanEvent, SpanKindValue, SpanLink, StatusCodeValue } from "./types";

export interface NormalizeResult<T> {
  items: T[];
  rejected: number;
  /** First few reasons, for the partial-success message. */
  reasons: string[];
}

const MAX_REASONS = 5;

export function readResource(attrs: Attributes): ResourceInfo {
  const name = attrs["service.name"];
  const ns = attrs["service.namespace"];
  const env = attrs["deployment.environment.name"] ?? attrs["deployment.environment"];
  return {
    service: typeof name === "string" && name !== "" ? name : "unknown_service",
    namespace: typeof ns === "string" && ns !== "" ? ns : null,
    environment: typeof env === "string" && env !== "" ? env : null,
    attributes: attrs,
  };
}

function readEnum(v: unknown, max: number): number | null {
  if (v == null) return 0;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max) return v;
  return null;
}

/** OTLP ExportTraceServiceRequest (either encoding's object) → domain spans. */
export function normalizeTraces(
  req: { resourceSpans?: unknown[] | null },
  limits: AttributeLimits,
  stats: AttributeStats,
): NormalizeResult<Span> {
  const items: Span[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (reasons.length < MAX_REASONS && !reasons.includes(why)) reasons.push(why);
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const rs of (req.resourceSpans ?? []) as any[]) {
    let resource: ResourceInfo;
    try {
      resource = readResource(convertAttributes(rs.resource?.attributes, limits, stats));
    } catch (e) {
      if (!(e instanceof AttributeDepthError)) throw e;
      for (const ss of rs.scopeSpans ?? [])
        for (let i = 0; i < (ss.spans?.length ?? 0); i++) reject("resource " + e.message);
      continue;
    }
    for (const ss of rs.scopeSpans ?? []) {
      const scope = { name: ss.scope?.name ?? "", version: ss.scope?.version ?? "" };
      for (const s of ss.spans ?? []) {
        const traceId = readId(s.traceId, 16);
        if (!traceId) {
          reject("invalid trace id (must be 16 non-zero bytes)");
          continue;
        }
        const spanId = readId(s.spanId, 8);
        if (!spanId) {
          reject("invalid span id (must be 8 non-zero bytes)");
          continue;
        }
        const parent = readParentId(s.parentSpanId);
        if (parent === null) {
          reject("invalid parent span id (must be empty or 8 non-zero bytes)");
          continue;
        }
        const kind = readEnum(s.kind, 5);
        if (kind === null) {
          reject("span kind must be an integer 0..5");
          continue;
        }
        const statusCode = readEnum(s.status?.code, 2);
        if (statusCode === null) {
          reject("status code must be an integer 0..2");
          continue;
        }
        const startNs = readNanos(s.startTimeUnixNano);
        const endNs = readNanos(s.endTimeUnixNano);
        if (startNs === null || endNs === null) {
          reject("unreadable timestamp");
          continue;
        }
        if (endNs < startNs) {
          reject("span ends before it starts");
          continue;
        }
        if (endNs > MAX_STORABLE_NANOS) {
          reject("timestamp beyond the year 2262 (more than a signed 64-bit nanosecond count)");
          continue;
        }
        try {
          items.push({
            traceId,
            spanId,
            parentSpanId: parent ?? null,
            name: s.name ?? "",
            kind: kind as SpanKindValue,
            startNs,
            endNs,
            statusCode: statusCode as StatusCodeValue,
            statusMessage: s.status?.message ?? "",
            attributes: convertAttributes(s.attributes, limits, stats),
            events: readEvents(s.events, limits, stats),
            links: readLinks(s.links, limits, stats),
            scope,
            resource,
          });
        } catch (e) {
          if (!(e instanceof AttributeDepthError)) throw e;
          reject(e.message);
        }
      }
    }
  }
  return { items, rejected, reasons };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readEvents(list: any[] | null | undefined, limits: AttributeLimits, stats: AttributeStats): SpanEvent[] {
  if (!list || list.length === 0) return [];
  return list.map((e) => ({
    timeUnixNano: readNanos(e.timeUnixNano) ?? 0n,
    name: e.name ?? "",
    attributes: convertAttributes(e.attributes, limits, stats),
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readLinks(list: any[] | null | undefined, limits: AttributeLimits, stats: AttributeStats): SpanLink[] {
  if (!list || list.length === 0) return [];
  const out: SpanLink[] = [];
  for (const l of list) {
    const traceId = readId(l.traceId, 16);
    const spanId = readId(l.spanId, 8);
    if (traceId && spanId) out.push({ traceId, spanId, attributes: convertAttributes(l.attributes, limits, stats) });
  }
  return out;
}
