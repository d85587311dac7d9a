import "server-only";
import { createHash } from "node:crypto";
import type { ZipkinSpan } from "../decode";
import type { AttributeLimits, AttributeStats } from "./attributes";
import type { NormalizeResult } from "./normalize-traces";
import { SpanKind, StatusCode, type Attributes, type ResourceInfo, type Span, type SpanKindValue } from "./types";
import { mapZipkinAttributes } from "./zipkin-attributes";
import { mergeZipkinParts } from "./merge-zipkin";

/** Start and end of a span already stored, for filling a shared server half sent without times. */
export type StoredTimesLookup = (traceId: string, spanId: string) => { startNs: bigint; endNs: bigint } | null;

export interface ZipkinContext {
  limits: AttributeLimits;
  stats: AttributeStats;
  /** Receive time: the start of last resort for a span with no time at all. */
  nowNs: bigint;
  findStoredTimes?: StoredTimesLookup;
}

const KIND: Record<string, SpanKindValue> = {
  CLIENT: SpanKind.CLIENT,
  SERVER: SpanKind.SERVER,
  PRODUCER: SpanKind.PRODUCER,
  CONSUMER: SpanKind.CONSUMER,
};
const ZERO = /^0+$/;

/**
 * The id under which the server half of a shared span (B3 single id, `shared: true`) is
 * stored; its parent is the client half's id. Deterministic, so a retried request stores
 * nothing twice; never zero and never the original id.
 */
export function deriveSharedSpanId(traceId: string, spanId: string): string {
  const h = createHash("sha256").update(`${traceId}:${spanId}:server`).digest("hex");
  for (let i = 0; i + 16 <= h.length; i += 16) {
    const id = h.slice(i, i + 16);
    if (id !== spanId && !ZERO.test(id)) return id;
  }
  return (BigInt("0x" + spanId) ^ 1n).toString(16).padStart(16, "0");
}

function limitAttributes(a: Attributes, limits: AttributeLimits, stats: AttributeStats): Attributes {
  const keys = Object.keys(a);
  if (keys.length > limits.maxAttributes) {
    stats.droppedAttributes += keys.length - limits.maxAttributes;
    for (const k of keys.slice(limits.maxAttributes)) delete a[k];
  }
  for (const k of Object.keys(a)) {
    const v = a[k];
    if (typeof v === "string" && v.length > limits.maxValueLength) {
      stats.truncatedValues++;
      a[k] = v.slice(0, limits.maxValueLength);
    }
  }
  return a;
}

/** A local endpoint's identity (Zipkin matches a shared server half's children by it). */
function endpointKey(z: ZipkinSpan): string {
  const e = z.localEndpoint;
  return e ? `${e.serviceName ?? ""}|${e.ipv4 ?? ""}|${e.ipv6 ?? ""}|${e.port ?? 0}` : "";
}

/**
 * A kindless span stays INTERNAL as sent: the service graph's Zipkin linker treats one with a
 * local and a remote name as a client call, but (as in Zipkin) never as a remote ancestor.
 */
function kindOf(z: ZipkinSpan): SpanKindValue {
  return z.kind ? KIND[z.kind]! : SpanKind.INTERNAL;
}

interface Times {
  startNs: bigint;
  endNs: bigint;
  source: string | null;
}
interface ChildRange {
  minStartUs: bigint;
  maxEndUs: bigint;
}

/**
 * Zipkin allows a span without `timestamp` or `duration` (a shared server half whose client's
 * times are authoritative, data reported after the fact). Such a span is never dropped; its
 * times come, first match wins, from the client half with the same id (in this request or
 * stored), from its annotations, from the extent of its children in the same request, else from
 * the time it was received (duration 0). The source is recorded in `cartograph.time_source`.
 */
function resolveTimes(
  z: ZipkinSpan,
  traceId: string,
  client: ZipkinSpan | undefined,
  children: ChildRange | undefined,
  ctx: ZipkinContext,
): Times {
  let startUs = z.timestampUs;
  let durUs = z.durationUs;
  if (startUs !== null && durUs !== null)
    return { startNs: startUs * 1000n, endNs: (startUs + durUs) * 1000n, source: null };
  let source: string | null = null;
  if (z.kind === "SERVER") {
    const c: { startNs: bigint; endNs: bigint } | null =
      client?.timestampUs != null
        ? { startNs: client.timestampUs * 1000n, endNs: (client.timestampUs + (client.durationUs ?? 0n)) * 1000n }
        : (ctx.findStoredTimes?.(traceId, z.id.padStart(16, "0")) ?? null);
    if (c) {
      const start = startUs !== null ? startUs * 1000n : c.startNs;
      const end = durUs !== null ? start + durUs * 1000n : c.endNs > start ? c.endNs : start;
      return { startNs: start, endNs: end, source: "client" };
    }
  }
  if (z.annotations.length > 0) {
    let min = z.annotations[0]!.timestampUs;
    let max = min;
    for (const a of z.annotations) {
      if (a.timestampUs < min) min = a.timestampUs;
      if (a.timestampUs > max) max = a.timestampUs;
    }
    if (startUs === null) {
      startUs = min;
      source = "annotations";
    }
    if (durUs === null && max > startUs) {
      durUs = max - startUs;
      source = "annotations";
    }
  }
  // A server half sent before its client, in its own request, usually comes with its children.
  if (startUs === null && children) {
    startUs = children.minStartUs;
    if (durUs === null) durUs = children.maxEndUs - children.minStartUs;
    source = "children";
  }
  if (startUs === null) return { startNs: ctx.nowNs, endNs: ctx.nowNs + (durUs ?? 0n) * 1000n, source: "received" };
  return { startNs: startUs * 1000n, endNs: (startUs + (durUs ?? 0n)) * 1000n, source: source ?? "no-duration" };
}

/**
 * Zipkin v2 spans → domain spans (the same records OTLP produces, so storage, pairing, RED and
 * every query treat both alike). Ids are left-padded (64-bit trace ids to 128 bits); the
 * `error` tag sets error status; annotations become events; µs become ns. The server half of a
 * shared span is stored under `deriveSharedSpanId` as a child of the client half, and its
 * children in the same request are re-parented to it, as Jaeger's Zipkin path does.
 */
export function normalizeZipkin(input: readonly ZipkinSpan[], ctx: ZipkinContext): NormalizeResult<Span> {
  const merged = mergeZipkinParts(input);
  const spans = merged.map((m) => m.span);
  const items: Span[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const clients = new Map<string, ZipkinSpan>();
  for (const z of spans)
    if (z.kind !== "SERVER" && z.kind !== "CONSUMER")
      clients.set(`${z.traceId.padStart(32, "0")}:${z.id.padStart(16, "0")}`, z);
  const childRanges = new Map<string, ChildRange>();
  for (const z of spans) {
    if (!z.parentId || z.timestampUs === null) continue;
    const key = `${z.traceId.padStart(32, "0")}:${z.parentId.padStart(16, "0")}`;
    const end = z.timestampUs + (z.durationUs ?? 0n);
    const r = childRanges.get(key);
    if (!r) childRanges.set(key, { minStartUs: z.timestampUs, maxEndUs: end });
    else {
      if (z.timestampUs < r.minStartUs) r.minStartUs = z.timestampUs;
      if (end > r.maxEndUs) r.maxEndUs = end;
    }
  }
  const resources = new Map<string, ResourceInfo>();
  // (shared id, local endpoint) → derived server id, for re-parenting its children.
  const sharedServers = new Map<string, string>();
  const pending: Array<{ span: Span; parentKey: string | null }> = [];

  for (const { span: z, index: i } of merged) {
    const traceId = z.traceId.padStart(32, "0");
    const id = z.id.padStart(16, "0");
    const parent = z.parentId ? z.parentId.padStart(16, "0") : null;
    if (ZERO.test(traceId) || ZERO.test(id)) {
      rejected++;
      if (reasons.length < 5)
        reasons.push(
          `span ${i} id ${z.id}${z.name ? ` "${z.name}"` : ""}: ${ZERO.test(traceId) ? "traceId" : "id"}: must not be all zeros`,
        );
      continue;
    }
    const service = z.localEndpoint?.serviceName || "unknown_service";
    let resource = resources.get(service);
    if (!resource)
      resources.set(
        service,
        (resource = { service, namespace: null, environment: null, attributes: { "service.name": service } }),
      );
    const key = `${traceId}:${id}`;
    const client = clients.get(key);
    const shared = z.kind === "SERVER" && (z.shared || client !== undefined);
    const times = resolveTimes(z, traceId, client, childRanges.get(key), ctx);
    const attributes = limitAttributes(mapZipkinAttributes(z), ctx.limits, ctx.stats);
    if (times.source) attributes["cartograph.time_source"] = times.source;
    if (shared) attributes["zipkin.shared"] = true;
    const errorTag = z.tags["error"];
    const span: Span = {
      traceId,
      spanId: shared ? deriveSharedSpanId(traceId, id) : id,
      parentSpanId: shared ? id : parent && !ZERO.test(parent) ? parent : null,
      name: z.name,
      kind: kindOf(z),
      startNs: times.startNs,
      endNs: times.endNs,
      statusCode: errorTag !== undefined ? StatusCode.ERROR : StatusCode.UNSET,
      statusMessage: errorTag !== undefined && errorTag !== "" && errorTag !== "true" ? errorTag : "",
      attributes,
      events: z.annotations.map((a) => ({ timeUnixNano: a.timestampUs * 1000n, name: a.value, attributes: {} })),
      links: [],
      scope: { name: "zipkin", version: "v2" },
      resource,
    };
    if (shared) sharedServers.set(`${key}:${endpointKey(z)}`, span.spanId);
    pending.push({
      span,
      parentKey: !shared && span.parentSpanId ? `${traceId}:${span.parentSpanId}:${endpointKey(z)}` : null,
    });
  }
  for (const p of pending) {
    // As Zipkin's tree does: a child of a shared id belongs to the server half on its own endpoint.
    const server = p.parentKey ? sharedServers.get(p.parentKey) : undefined;
    if (server) p.span.parentSpanId = server;
    items.push(p.span);
  }
  return { items, rejected, reasons };
}
