import "server-only";
import { SpanKind, type Span } from "../../normalize";
import { classifySpan, spanServiceKey } from "./classify-span";
import { serviceNode } from "./node-identity";
import { HalfTable } from "./half-table";
import type { CallSpans, EdgeCall, Half, PairingCounts, WaitingHalf } from "./types";
import { linkZipkinSpans } from "./zipkin-links";
import { isZipkinSpan } from "./zipkin-tree";

/** Where pairing results go: the streaming rollup and the query-time rebuild pass the same kind of sink. */
export interface PairingSink {
  call(c: EdgeCall): void;
  count(what: keyof PairingCounts, timeMs: number): void;
  /** Every span's service (INTERNAL-only services included) for the node inventory. */
  service(name: string, timeMs: number): void;
}

/**
 * Finds the other half of an expired entry among spans stored earlier (tier-2 repair):
 * the server whose parent is a client span, and any span by id.
 */
export interface PartnerLookup {
  findServerChild(traceId: string, parentSpanId: string): Span | null;
  findSpan(traceId: string, spanId: string): Span | null;
  /** A CLIENT/PRODUCER child of the span exists (the span wraps a nested client span). */
  hasClientChild(traceId: string, spanId: string): boolean;
}

export interface PairingOptions {
  waitMs: number;
  maxItems: number;
  /**
   * Draw database / queue client halves at once (streaming, default). The batch rebuild,
   * which holds every span, turns it off so an instrumented proxy in front of a database
   * still shows as the service it is.
   */
  drawAtOnce?: boolean;
}

/** A matched pair is one call client.service → server.service, measured on both sides. */
export function emitPair(client: Half, server: Half, sink: PairingSink): void {
  sink.count("paired", client.startMs);
  sink.call({
    source: serviceNode(client.service),
    target: serviceNode(server.service),
    protocol: client.protocol !== "other" ? client.protocol : server.protocol,
    connectionType: "",
    timeMs: client.startMs,
    error: client.error || server.error,
    clientMs: client.durationMs,
    serverMs: server.durationMs,
    connect: client.connect,
    table: client.table,
    spans: pairSpanIds(client, server),
  });
}

function pairSpanIds(client: Half, server: Half): CallSpans {
  return { traceId: client.traceId, caller: client.spanId, client: client.spanId, server: server.spanId };
}

/** A client half that no server answered: a typed virtual node, or only a count. */
export function emitLoneClient(client: Half, sink: PairingSink): void {
  if (client.callee === null) {
    sink.count("unpairedClient", client.startMs);
    return;
  }
  sink.count("virtual", client.startMs);
  sink.call(loneCall(client));
}

function loneCall(client: Half): EdgeCall {
  const callee = client.callee!;
  return {
    source: serviceNode(client.service),
    target: callee,
    protocol: client.protocol,
    connectionType:
      callee.kind === "database" ? "database" : callee.kind === "messaging" ? "messaging_system" : "virtual_node",
    timeMs: client.startMs,
    error: client.error,
    clientMs: client.durationMs,
    serverMs: null,
    connect: client.connect,
    table: client.table,
    spans: { traceId: client.traceId, caller: client.spanId, client: client.spanId, server: null },
  };
}

/**
 * Settles a half that waited `wait` without a partner (first matching rule wins):
 * client → a stored server child pairs it (late half), else virtual node / unpaired count;
 * server → a stored client parent that drew nothing pairs it; a stored parent of another
 * service without a client span (uninstrumented client library) gives a direct edge; else unpaired.
 */
export function settleExpired(half: Half, lookup: PartnerLookup | null, sink: PairingSink): void {
  sink.count("expired", half.startMs);
  if (half.role === "client") {
    const child = lookup?.findServerChild(half.traceId, half.spanId) ?? null;
    const c = child ? classifySpan(child) : null;
    if (c?.type === "half" && c.half.role === "server") return emitPair(half, c.half, sink);
    // Nested client spans (an HTTP library under an SDK client, gRPC over http2): the inner one
    // carries the call; drawing the outer one too would add a phantom external node.
    if (lookup?.hasClientChild(half.traceId, half.spanId)) return;
    return emitLoneClient(half, sink);
  }
  const parent = half.parentSpanId === null ? null : (lookup?.findSpan(half.traceId, half.parentSpanId) ?? null);
  if (parent) {
    const c = classifySpan(parent);
    if (c.type === "half" && c.half.role === "client") {
      // A client with a typed callee already drew its virtual edge when it expired.
      if (c.half.callee === null) return emitPair(c.half, half, sink);
      return sink.count("unpairedServer", half.startMs);
    }
    // A server span nested under another span of its own service (two server instrumentations).
    if (spanServiceKey(parent) === half.service) return;
    if (parent.kind !== SpanKind.CLIENT && parent.kind !== SpanKind.PRODUCER) {
      sink.count("paired", half.startMs);
      return sink.call({
        source: serviceNode(spanServiceKey(parent)),
        target: serviceNode(half.service),
        protocol: half.protocol,
        connectionType: "",
        timeMs: half.startMs,
        error: half.error,
        clientMs: null,
        serverMs: half.durationMs,
        connect: false,
        table: null,
        spans: { traceId: half.traceId, caller: parent.spanId, client: null, server: half.spanId },
      });
    }
  }
  sink.count("unpairedServer", half.startMs);
}

const scratch = Buffer.alloc(24);
const HEX_TRACE = /^[0-9a-f]{32}$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

/**
 * The Map key of a waiting half: trace id + pairing id as 24 raw bytes in a one-byte string
 * (40 B on the heap, no reference to the span's own id strings). Ids of another shape keep a
 * text key, marked by a first character no byte key can have.
 */
function pairKey(traceId: string, id: string): string {
  if (traceId.length === 32 && id.length === 16 && HEX_TRACE.test(traceId) && HEX_SPAN.test(id)) {
    scratch.write(traceId, 0, 16, "hex");
    scratch.write(id, 16, 8, "hex");
    return scratch.latin1Slice(0, 24);
  }
  return `\u0100${traceId}:${id}`;
}

function splitPairKey(key: string): [string, string] {
  if (key.charCodeAt(0) === 0x100) {
    const cut = key.lastIndexOf(":");
    return [key.slice(1, cut), key.slice(cut + 1)];
  }
  const b = Buffer.from(key, "latin1");
  return [b.hexSlice(0, 16), b.hexSlice(16, 24)];
}

/** A client call to a database or a queue is drawn at once: no server half changes its edge. */
function drawsAtOnce(h: Half): boolean {
  return h.role === "client" && h.callee !== null && (h.callee.kind === "database" || h.callee.kind === "messaging");
}

/** A server half that answers a client already drawn to its database / queue node. */
function mergeServer(client: Half, server: Half, sink: PairingSink): void {
  sink.call({
    source: serviceNode(client.service),
    target: client.callee!,
    protocol: client.protocol,
    connectionType: client.callee!.kind === "database" ? "database" : "messaging_system",
    timeMs: client.startMs,
    error: server.error,
    clientMs: null,
    serverMs: server.durationMs,
    connect: client.connect,
    table: null,
    merge: true,
    spans: pairSpanIds(client, server),
  });
}

/**
 * The bounded in-memory pairing store (tier 1). Keys are `traceId:spanId` of the client span
 * (servers use their parent id); each maps to a slot of a HalfTable (columns, not objects).
 * With one constant wait, insertion order is expiry order, so expiry walks the Map from its
 * head and stops at the first live entry. When full, a new half is refused and counted;
 * ingest is never blocked.
 *
 * Database and messaging client halves are drawn as their virtual edge as soon as they
 * arrive (as the reference service graphs do) and wait only so that a later server half
 * (an instrumented proxy or broker) merges its latency into that same edge.
 */
export class PairingStore {
  private readonly entries = new Map<string, number>();
  private readonly table: HalfTable;
  readonly totals = { paired: 0, expired: 0, dropped: 0, duplicates: 0, observed: 0 };

  private readonly atOnce: boolean;

  constructor(private readonly opts: PairingOptions) {
    this.table = new HalfTable(opts.maxItems);
    this.atOnce = opts.drawAtOnce ?? true;
  }

  get pending(): number {
    return this.entries.size;
  }

  /** Feeds one span. Arrival order does not matter: whichever half comes second completes the pair. */
  addSpan(span: Span, nowMs: number, sink: PairingSink): void {
    this.totals.observed++;
    sink.service(spanServiceKey(span), Number(span.startNs / 1_000_000n));
    const c = classifySpan(span);
    if (c.type === "call") return sink.call(c.call);
    if (c.type === "none") return;
    this.addHalf(c.half, nowMs, sink);
  }

  addHalf(half: Half, nowMs: number, sink: PairingSink): void {
    const id = half.role === "client" ? half.spanId : half.parentSpanId;
    const key = pairKey(half.traceId, id!);
    const slot = this.entries.get(key);
    if (slot !== undefined) {
      if (this.table.role(slot) === half.role) {
        // Duplicate span id, or a second server child of one client: keep the first.
        this.totals.duplicates++;
        this.totals.dropped++;
        sink.count("dropped", half.startMs);
        return;
      }
      const other = this.table.get(slot, half.traceId, id!);
      const emitted = this.table.emitted(slot);
      this.entries.delete(key);
      this.table.release(slot);
      this.totals.paired++;
      const client = half.role === "client" ? half : other;
      const server = half.role === "server" ? half : other;
      if (emitted) return mergeServer(client, server, sink);
      if (this.atOnce && drawsAtOnce(client)) {
        sink.count("virtual", client.startMs);
        return sink.call({
          ...loneCall(client),
          serverMs: server.durationMs,
          error: client.error || server.error,
          spans: pairSpanIds(client, server),
        });
      }
      return emitPair(client, server, sink);
    }
    if (this.entries.size >= this.opts.maxItems) {
      this.totals.dropped++;
      sink.count("dropped", half.startMs);
      if (this.atOnce && drawsAtOnce(half)) emitLoneClient(half, sink);
      return;
    }
    const atOnce = this.atOnce && drawsAtOnce(half);
    if (atOnce) emitLoneClient(half, sink);
    this.entries.set(key, this.table.put(half, nowMs, atOnce));
  }

  /**
   * Removes and returns halves that waited at least `wait` (all of them when `all`). Halves
   * already drawn (database / queue clients) leave silently: nothing is left to settle.
   */
  takeExpired(nowMs: number, all = false, limit = Infinity): Half[] {
    const out: Half[] = [];
    for (const [key, slot] of this.entries) {
      if (!all && this.table.insertedAt(slot) + this.opts.waitMs > nowMs) break;
      if (out.length >= limit) break;
      this.entries.delete(key);
      if (!this.table.emitted(slot)) {
        const [traceId, id] = splitPairKey(key);
        out.push(this.table.get(slot, traceId, id));
      }
      this.table.release(slot);
    }
    this.totals.expired += out.length;
    if (this.table.internWaste > 4096) this.table.compactInterns(this.entries.values());
    return out;
  }

  /** Every waiting half in expiry order (for a clean stop; the store keeps them). */
  listWaiting(): WaitingHalf[] {
    const out: WaitingHalf[] = [];
    for (const [key, slot] of this.entries) {
      const [traceId, id] = splitPairKey(key);
      out.push({
        half: this.table.get(slot, traceId, id),
        insertedMs: this.table.insertedAt(slot),
        drawn: this.table.emitted(slot),
      });
    }
    return out;
  }

  /**
   * Puts saved halves back with their original insert time, so each waits what remained of
   * its window. Call before any new half arrives (expiry walks the entries in insert order).
   * Returns how many were taken (not past the bound, not already present).
   */
  restoreWaiting(items: readonly WaitingHalf[]): number {
    let taken = 0;
    for (const w of items) {
      if (this.entries.size >= this.opts.maxItems) break;
      const key = pairKey(w.half.traceId, (w.half.role === "client" ? w.half.spanId : w.half.parentSpanId)!);
      if (this.entries.has(key)) continue;
      this.entries.set(key, this.table.put(w.half, w.insertedMs, w.drawn));
      taken++;
    }
    return taken;
  }
}

/**
 * Pure batch pairing over a list of spans (tier-2 rebuild, tests): the same store and rules as
 * streaming, with every span present, so halves that find no partner in the list are settled
 * against the list itself.
 */
export function pairSpans(spans: readonly Span[], sink: PairingSink, opts: Partial<PairingOptions> = {}): PairingStore {
  const store = new PairingStore({
    waitMs: opts.waitMs ?? 0,
    maxItems: opts.maxItems ?? Math.max(1, spans.length),
    drawAtOnce: opts.drawAtOnce ?? false,
  });
  spans = takeZipkinSpans(spans, sink);
  for (const s of spans) store.addSpan(s, 0, sink);
  const lookup = createListLookup(spans);
  for (const half of store.takeExpired(0, true)) settleExpired(half, lookup, sink);
  return store;
}

/**
 * Links the Zipkin spans of a list by Zipkin's rules (zipkin-links.ts) and returns the others,
 * which pair as OTLP. A trace mixing both formats is linked per format.
 */
export function takeZipkinSpans(spans: readonly Span[], sink: PairingSink): readonly Span[] {
  if (!spans.some(isZipkinSpan)) return spans;
  const zipkin: Span[] = [];
  const rest: Span[] = [];
  for (const s of spans) {
    if (isZipkinSpan(s)) {
      zipkin.push(s);
      sink.service(spanServiceKey(s), Number(s.startNs / 1_000_000n));
    } else rest.push(s);
  }
  linkZipkinSpans(zipkin, sink);
  return rest;
}

/** A PartnerLookup over an in-memory list of spans. */
export function createListLookup(spans: readonly Span[]): PartnerLookup {
  const byId = new Map<string, Span>();
  const serverByParent = new Map<string, Span>();
  const clientParents = new Set<string>();
  for (const s of spans) {
    if ((s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER) && s.parentSpanId !== null)
      clientParents.add(`${s.traceId}:${s.parentSpanId}`);
    const id = `${s.traceId}:${s.spanId}`;
    if (!byId.has(id)) byId.set(id, s);
    if ((s.kind === SpanKind.SERVER || s.kind === SpanKind.CONSUMER) && s.parentSpanId !== null) {
      const pk = `${s.traceId}:${s.parentSpanId}`;
      if (!serverByParent.has(pk)) serverByParent.set(pk, s);
    }
  }
  return {
    findServerChild: (t, p) => serverByParent.get(`${t}:${p}`) ?? null,
    findSpan: (t, id) => byId.get(`${t}:${id}`) ?? null,
    hasClientChild: (t, id) => clientParents.has(`${t}:${id}`),
  };
}
