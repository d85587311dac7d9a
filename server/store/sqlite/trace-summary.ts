import "server-only";
import type { Span } from "../../normalize";
import { ByteReader, ByteWriter } from "./byte-io";

/**
 * The per-trace summary row: what trace search lists and filters on, where the trace's
 * spans are (block ids), and its span ids (the dedup set and the blocks' span addresses).
 * Pure merge logic; append-spans.ts does the I/O.
 */
export interface Summary {
  startNs: bigint;
  endNs: bigint;
  lastNs: bigint;
  spans: number;
  errors: number;
  rootResource: number | null;
  rootName: string | null;
  rootParentless: boolean;
  resources: Buffer;
  blocks: Buffer;
  spanIds: Buffer;
}

/** A stored summary as read with safeIntegers. */
export interface SummaryRow {
  id: bigint;
  start_ns: bigint;
  end_ns: bigint;
  last_ns: bigint;
  spans: bigint;
  errors: bigint;
  root_resource: bigint | null;
  root_name: string | null;
  root_parentless: bigint;
  resources: Buffer;
  blocks: Buffer;
  span_ids: Buffer;
}

/** Services listed per trace at most (a trace touching more still counts them in spans). */
export const MAX_TRACE_RESOURCES = 64;

const ids = new ByteWriter(4096);

function packIds(spans: readonly Span[], prefix: Buffer | null): Buffer {
  ids.reset();
  if (prefix) ids.bytes(prefix);
  for (const s of spans) ids.hex(s.spanId, 8);
  return ids.take();
}

function varints(values: Iterable<number>): Buffer {
  const w = new ByteWriter(32);
  for (const v of values) w.varint(v);
  return w.take();
}

export function readVarints(buf: Buffer): number[] {
  const r = new ByteReader(buf);
  const out: number[] = [];
  while (!r.done) out.push(r.varint());
  return out;
}

/** Span id (hex) → its index in the stored list. */
export function readIds(buf: Buffer): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0, k = 0; i + 8 <= buf.length; i += 8, k++) m.set(buf.hexSlice(i, i + 8), k);
  return m;
}

interface Root {
  resource: number | null;
  name: string | null;
  parentless: boolean;
  startNs: bigint;
}

function pickRoot(spans: readonly Span[], resourceIdOf: (s: Span) => number): Root {
  let best: Span | null = null;
  for (const s of spans) {
    if (best === null) best = s;
    else if ((s.parentSpanId === null) !== (best.parentSpanId === null)) {
      if (s.parentSpanId === null) best = s;
    } else if (s.startNs < best.startNs) best = s;
  }
  return {
    resource: resourceIdOf(best!),
    name: best!.name,
    parentless: best!.parentSpanId === null,
    startNs: best!.startNs,
  };
}

function collect(spans: readonly Span[], resourceIdOf: (s: Span) => number, into: Set<number>) {
  let start = spans[0]!.startNs,
    end = spans[0]!.endNs,
    last = spans[0]!.startNs,
    errors = 0;
  for (const s of spans) {
    if (s.startNs < start) start = s.startNs;
    if (s.startNs > last) last = s.startNs;
    if (s.endNs > end) end = s.endNs;
    if (s.statusCode === 2) errors++;
    if (into.size < MAX_TRACE_RESOURCES) into.add(resourceIdOf(s));
  }
  return { start, end, last, errors };
}

export function newSummary(spans: readonly Span[], blockId: number, resourceIdOf: (s: Span) => number): Summary {
  const res = new Set<number>();
  const c = collect(spans, resourceIdOf, res);
  const root = pickRoot(spans, resourceIdOf);
  return {
    startNs: c.start,
    endNs: c.end,
    lastNs: c.last,
    spans: spans.length,
    errors: c.errors,
    rootResource: root.resource,
    rootName: root.name,
    rootParentless: root.parentless,
    resources: varints(res),
    blocks: varints([blockId]),
    spanIds: packIds(spans, null),
  };
}

/** The stored summary with `added` (new span ids only) folded in. */
export function mergeSummary(
  row: SummaryRow,
  added: readonly Span[],
  blockId: number,
  resourceIdOf: (s: Span) => number,
): Summary {
  const res = new Set(readVarints(row.resources));
  const c = collect(added, resourceIdOf, res);
  const blocks = readVarints(row.blocks);
  if (blocks[blocks.length - 1] !== blockId) blocks.push(blockId);
  const root = pickRoot(added, resourceIdOf);
  const keepOld = row.root_parentless === 1n ? true : root.parentless ? false : row.start_ns <= root.startNs;
  return {
    startNs: c.start < row.start_ns ? c.start : row.start_ns,
    endNs: c.end > row.end_ns ? c.end : row.end_ns,
    lastNs: c.last > row.last_ns ? c.last : row.last_ns,
    spans: Number(row.spans) + added.length,
    errors: Number(row.errors) + c.errors,
    rootResource: keepOld ? (row.root_resource === null ? null : Number(row.root_resource)) : root.resource,
    rootName: keepOld ? row.root_name : root.name,
    rootParentless: keepOld ? row.root_parentless === 1n : root.parentless,
    resources: varints(res),
    blocks: varints(blocks),
    spanIds: packIds(added, row.span_ids),
  };
}
