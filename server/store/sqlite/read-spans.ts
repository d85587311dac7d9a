import "server-only";
import type { Attributes, ResourceInfo, Span, SpanKindValue, StatusCodeValue } from "../../normalize";
import type { Db } from "./open";
import { openBlock, readSection, type DecodedBlock, type SectionRef, type SpanRecord } from "./span-block";
import { readVarints } from "./trace-summary";

/**
 * Reads stored spans back into the domain Span type: trace detail, the tier-2 map rebuild,
 * the coupling model and the late-half lookup. Blocks are immutable once written, so
 * decoded blocks are cached per connection (a few, LRU); summaries are always read fresh.
 */
const BLOCK_CACHE = 16;

interface TraceRef {
  key: number;
  traceId: string;
  spanIds: Buffer;
  blocks: number[];
}

export interface SpanReader {
  /** All stored spans of a trace, in start order; empty when unknown. */
  readTrace(traceId: string, limit?: number): Span[];
  /** Spans of several traces (one decode per block). */
  readTraces(traceIds: readonly string[]): Span[];
  /** Spans that started in [fromMs, toMs), the earliest `limit` of them. */
  readWindow(fromMs: number, toMs: number, limit: number): Span[];
  /**
   * Spans of the blocks appended after block `afterId`, in append order, whole blocks until
   * `limit` spans are held; `lastBlockId` is the last block read (afterId when none).
   */
  readAppendedAfter(afterId: number, limit: number): { spans: Span[]; lastBlockId: number; more: boolean };
  resource(id: number): ResourceInfo;
  block(id: number): (DecodedBlock & { byTrace: Map<number, SectionRef[]> }) | null;
  toSpan(ref: { traceId: string; spanIds: Buffer }, r: SpanRecord, index: number): Span;
}

const readers = new WeakMap<Db, SpanReader>();

/** The reader of a connection (created once per connection, statements prepared once). */
export function spanReaderFor(db: Db): SpanReader {
  let r = readers.get(db);
  if (!r) {
    r = createSpanReader(db);
    readers.set(db, r);
  }
  return r;
}

function parseAttributes(text: string | null): Attributes {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Attributes) : {};
  } catch {
    return {};
  }
}

function createSpanReader(db: Db): SpanReader {
  const traceByHex = db.prepare(`SELECT id, span_ids, blocks FROM traces WHERE trace_id = ?`).safeIntegers(true);
  const traceByKey = db.prepare(`SELECT trace_id, span_ids, blocks FROM traces WHERE id = ?`);
  const blockData = db.prepare(`SELECT data FROM span_block_data WHERE id = ?`).pluck();
  const resourceRow = db.prepare(`SELECT service, namespace, environment, attributes FROM resources WHERE id = ?`);
  const windowBlocks = db
    .prepare(
      `SELECT id, min_start_ns AS min FROM span_blocks
    WHERE max_start_ns >= ? AND min_start_ns < ? ORDER BY min_start_ns`,
    )
    .safeIntegers(true);
  const blocksAfter = db.prepare(`SELECT id FROM span_blocks WHERE id > ? ORDER BY id`).pluck();
  const resources = new Map<number, ResourceInfo>();
  const cache = new Map<number, DecodedBlock & { byTrace: Map<number, SectionRef[]> }>();

  function resource(id: number): ResourceInfo {
    let r = resources.get(id);
    if (!r) {
      const row = resourceRow.get(id) as
        { service: string; namespace: string | null; environment: string | null; attributes: string } | undefined;
      r = {
        service: row?.service ?? "unknown_service",
        namespace: row?.namespace ?? null,
        environment: row?.environment ?? null,
        attributes: parseAttributes(row?.attributes ?? null),
      };
      if (row) resources.set(id, r);
    }
    return r;
  }

  function block(id: number) {
    const hit = cache.get(id);
    if (hit) {
      cache.delete(id);
      cache.set(id, hit);
      return hit;
    }
    const data = blockData.get(id) as Buffer | undefined;
    if (!data) return null;
    const b = openBlock(data);
    const byTrace = new Map<number, SectionRef[]>();
    for (const s of b.sections) {
      const list = byTrace.get(s.traceKey);
      if (list) list.push(s);
      else byTrace.set(s.traceKey, [s]);
    }
    const entry = Object.assign(b, { byTrace });
    cache.set(id, entry);
    if (cache.size > BLOCK_CACHE) cache.delete(cache.keys().next().value!);
    return entry;
  }

  function toSpan(ref: { traceId: string; spanIds: Buffer }, r: SpanRecord, index: number): Span {
    const at = index * 8;
    const res = resource(r.resourceId);
    let scope = { name: "", version: "" };
    if (r.scope !== null) {
      const cut = r.scope.indexOf("\u0000");
      scope = { name: r.scope.slice(0, cut), version: r.scope.slice(cut + 1) };
    }
    return {
      traceId: ref.traceId,
      spanId: ref.spanIds.hexSlice(at, at + 8),
      parentSpanId: r.parentIndex >= 0 ? ref.spanIds.hexSlice(r.parentIndex * 8, r.parentIndex * 8 + 8) : r.parentHex,
      name: r.name,
      kind: r.kind as SpanKindValue,
      startNs: r.startNs,
      endNs: r.startNs + BigInt(r.durationNs),
      statusCode: r.status as StatusCodeValue,
      statusMessage: r.statusMessage,
      attributes: r.attributes ?? {},
      events: r.events ?? [],
      links: r.links ?? [],
      scope,
      resource: res,
    };
  }

  function spansOf(ref: TraceRef, out: Span[], limit = Infinity): void {
    for (const id of ref.blocks) {
      const b = block(id);
      for (const sec of b?.byTrace.get(ref.key) ?? []) {
        readSection(b!, sec, true, (r, i) => {
          if (out.length < limit) out.push(toSpan(ref, r, i));
        });
      }
    }
  }

  function refByHex(traceId: string): TraceRef | null {
    const row = traceByHex.get(Buffer.from(traceId, "hex")) as
      { id: bigint; span_ids: Buffer; blocks: Buffer } | undefined;
    return row ? { key: Number(row.id), traceId, spanIds: row.span_ids, blocks: readVarints(row.blocks) } : null;
  }

  /** Every span of a block whose trace summary still exists (`refs` caches summaries by key). */
  function spansOfBlock(
    b: DecodedBlock,
    refs: Map<number, { traceId: string; spanIds: Buffer } | null>,
    keep: (rec: SpanRecord) => boolean,
    out: Span[],
  ): void {
    for (const sec of b.sections) {
      let ref = refs.get(sec.traceKey);
      if (ref === undefined) {
        const t = traceByKey.get(sec.traceKey) as { trace_id: Buffer; span_ids: Buffer } | undefined;
        ref = t ? { traceId: t.trace_id.toString("hex"), spanIds: t.span_ids } : null;
        refs.set(sec.traceKey, ref);
      }
      if (!ref) continue;
      const r = ref;
      readSection(b, sec, true, (rec, i) => {
        if (keep(rec)) out.push(toSpan(r, rec, i));
      });
    }
  }

  const byStart = (a: Span, b: Span) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);

  return {
    resource,
    block,
    toSpan,
    readTrace(traceId, limit) {
      if (!/^[0-9a-f]{32}$/.test(traceId)) return [];
      const ref = refByHex(traceId);
      if (!ref) return [];
      const out: Span[] = [];
      spansOf(ref, out, limit);
      return out.sort(byStart);
    },
    readTraces(traceIds) {
      const out: Span[] = [];
      for (const t of traceIds) {
        const ref = /^[0-9a-f]{32}$/.test(t) ? refByHex(t) : null;
        if (ref) spansOf(ref, out);
      }
      return out;
    },
    readWindow(fromMs, toMs, limit) {
      const fromNs = BigInt(fromMs) * 1_000_000n;
      const toNs = BigInt(toMs) * 1_000_000n;
      const refs = new Map<number, { traceId: string; spanIds: Buffer } | null>();
      const out: Span[] = [];
      for (const row of windowBlocks.all(fromNs, toNs) as { id: bigint; min: bigint }[]) {
        // Blocks come in order of their earliest span: once `limit` spans are held and the
        // next block starts after the limit-th earliest, nothing later can enter the answer.
        if (out.length >= limit) {
          out.sort(byStart);
          out.length = limit;
          if (row.min >= out[limit - 1]!.startNs) break;
        }
        const b = block(Number(row.id));
        if (b) spansOfBlock(b, refs, (rec) => rec.startNs >= fromNs && rec.startNs < toNs, out);
      }
      out.sort(byStart);
      if (out.length > limit) out.length = limit;
      return out;
    },
    readAppendedAfter(afterId, limit) {
      const refs = new Map<number, { traceId: string; spanIds: Buffer } | null>();
      const out: Span[] = [];
      let lastBlockId = afterId;
      for (const id of blocksAfter.iterate(afterId) as Iterable<number>) {
        if (out.length >= limit) return { spans: out, lastBlockId, more: true };
        const data = blockData.get(id) as Buffer | undefined;
        // Decoded outside the cache: a replay reads each block once.
        if (data) spansOfBlock(openBlock(data), refs, () => true, out);
        lastBlockId = id;
      }
      return { spans: out, lastBlockId, more: false };
    },
  };
}

/** Stored spans that started in [fromMs, toMs), at most `limit` (the earliest). */
export function readSpansInWindow(db: Db, fromMs: number, toMs: number, limit: number): Span[] {
  return spanReaderFor(db).readWindow(fromMs, toMs, limit);
}

/** All spans of one trace, in start order. */
export function readTraceSpans(db: Db, traceId: string, limit?: number): Span[] {
  return spanReaderFor(db).readTrace(traceId, limit);
}

/** All spans of the given traces (unknown ids are skipped). */
export function readTracesSpans(db: Db, traceIds: readonly string[]): Span[] {
  return spanReaderFor(db).readTraces(traceIds);
}

/** Start and end of one stored span (a shared Zipkin server half borrows its client's times). */
export function createSpanTimesLookup(
  db: Db,
): (traceId: string, spanId: string) => { startNs: bigint; endNs: bigint } | null {
  const reader = spanReaderFor(db);
  return (traceId, spanId) => {
    const s = reader.readTrace(traceId).find((x) => x.spanId === spanId);
    return s ? { startNs: s.startNs, endNs: s.endNs } : null;
  };
}

/** Stored spans per service (decodes every block: for benchmarks and checks, not hot paths). */
export function countSpansByService(db: Db): Map<string, number> {
  const reader = spanReaderFor(db);
  const out = new Map<string, number>();
  const ids = db.prepare(`SELECT id FROM span_blocks`).pluck().all() as number[];
  for (const id of ids) {
    const b = reader.block(id);
    if (!b) continue;
    for (const sec of b.sections) {
      readSection(b, sec, false, (r) => {
        const svc = reader.resource(r.resourceId).service;
        out.set(svc, (out.get(svc) ?? 0) + 1);
      });
    }
  }
  return out;
}
