import "server-only";
import { CACHE_SETTLE_MINUTES, onLateRollups, type LateRollupNotice } from "../platform/late-rollups";

/**
 * Windows re-read the same complete minutes again and again (auto-refresh, alert rules).
 * A complete block (10 minutes or an hour, ended more than SETTLE_MINUTES ago) is merged
 * once and kept (5 minutes for the last hour's blocks, 30 minutes for older ones); a window is then at most ~18 raw minutes at its edges plus
 * cached blocks. Rollups written late into a cached block (spans minutes late, a replay, a
 * pairing pass catching up) drop it at once when this process wrote them (late-rollups.ts), and
 * when it expires otherwise. One cache per telemetry reader (a thread's store), bounded in entries.
 *
 * The settled minutes at a window's edges (up to ~18, outside any block) are kept too, by exact
 * range, for RANGE_TTL_MS: an auto-refresh keeps the same minute edges for a minute, so it reads
 * only the unsettled last minutes again (on ClickHouse, the edge reads were most of a warm map).
 */
const SETTLE_MINUTES = CACHE_SETTLE_MINUTES;
/** Blocks of the last hour may still get late spans; older ones rarely do. */
const TTL_RECENT_MS = 5 * 60_000;
const TTL_OLD_MS = 30 * 60_000;
/** Enough for two kinds over 24 h (144 ten-minute + 24 hour blocks each) and then some. */
const MAX_ENTRIES = 600;
/** A window's minute edges move every minute: an edge range is of no use for longer. */
const RANGE_TTL_MS = 60_000;
/** Edge ranges kept per reader (two kinds, a few windows open at once). */
const MAX_RANGES = 64;

interface Entry {
  /** The read's time (its `nowMs`): time to live and this process's late-write notices. */
  at: number;
  /** Wall clock when its reads started: the store's change marks, heard in wall-clock time. */
  seen: number;
  value: unknown;
}
const caches = new WeakMap<object, Map<string, Entry>>();
const rangeCaches = new WeakMap<object, Map<string, Entry>>();

/** Late writes of the last TTL_OLD_MS, oldest first (few: spans are rarely minutes late). */
let lateWrites: LateRollupNotice[] = [];
/** The store's change marks heard (noteStoreChanges), stamped by the wall clock when heard. */
let storeMarks: LateRollupNotice[] = [];
let listening = false;
const MAX_LATE_WRITES = 256;

/** `list` with `notice` added, older ones pruned, folded into one when too many. */
function withNotice(list: LateRollupNotice[], notice: LateRollupNotice): LateRollupNotice[] {
  const out = list.filter((n) => n.atMs >= notice.atMs - TTL_OLD_MS);
  out.push(notice);
  if (out.length <= MAX_LATE_WRITES) return out;
  // Folded into one that covers them all: it may drop a few blocks too many, never too few.
  const untilMinute = Math.max(...out.map((n) => n.untilMinute ?? Infinity));
  return [
    {
      sinceMinute: Math.min(...out.map((n) => n.sinceMinute)),
      ...(Number.isFinite(untilMinute) ? { untilMinute } : {}),
      atMs: Math.max(...out.map((n) => n.atMs)),
    },
  ];
}

function noteLateWrite(notice: LateRollupNotice): void {
  lateWrites = withNotice(lateWrites, notice);
}

const overlaps = (n: LateRollupNotice, start: number, size: number) =>
  n.sinceMinute < start + size && (n.untilMinute ?? Infinity) > start;

/** A block [start, start + size) computed at `at` (read time) / `seen` (wall clock) that a later write changed. */
function writtenSince(start: number, size: number, at: number, seen: number): boolean {
  for (const n of lateWrites) if (n.atMs >= at && overlaps(n, start, size)) return true;
  for (const n of storeMarks) if (n.atMs >= seen && overlaps(n, start, size)) return true;
  return false;
}

/**
 * Reads the store's change marks (writes by other processes on a shared store) and notes them
 * as late writes seen now. Start it when a read starts and hand it to readWithHourCache, which
 * checks the entries it used against it. A failed read leaves the entries' time to live as the bound.
 */
export async function noteStoreChanges(reader: {
  readRollupChanges?: () => Promise<{ fromMinute: number; toMinute: number }[]>;
}): Promise<void> {
  if (!reader.readRollupChanges) return;
  let changes: { fromMinute: number; toMinute: number }[];
  try {
    changes = await reader.readRollupChanges();
  } catch {
    return;
  }
  const atMs = Date.now();
  for (const c of changes)
    storeMarks = withNotice(storeMarks, { sinceMinute: c.fromMinute, untilMinute: c.toMinute, atMs });
}

/** Drops the late-write notices this thread heard (tests). */
export function forgetLateWrites(): void {
  lateWrites = [];
  storeMarks = [];
}

/** Block sizes in minutes, largest first: hours, then 10-minute blocks, then raw minutes. */
const BLOCKS = [60, 10];

export interface BlockAggregation<T, P> {
  /** Adds raw minutes [a, b) into `into`. */
  read: (into: T, a: number, b: number) => Promise<void>;
  empty: () => T;
  /** Compact form kept in the cache (e.g. encoded sketches: ~2.5× smaller than live ones). */
  pack: (value: T) => P;
  mergePacked: (into: T, packed: P) => void;
  /**
   * Whole hours [a, b) (minutes, multiples of 60) in one read from the store's hour rollups, by
   * hour start. When given, every complete hour a window needs and the cache lacks is read with
   * one call, instead of from its minutes.
   */
  readHours?: (a: number, b: number) => Promise<Map<number, T>>;
}

/**
 * Aggregates [lo, hi) (epoch minutes) from raw minutes at the edges and cached complete
 * blocks in between (an hour is built from its cached 10-minute blocks).
 *
 * `fresh`: the store's change marks read since this read started (noteStoreChanges). The answer
 * is computed at once, beside that read; if the marks then cover an entry it used or kept, it is
 * computed again from the store, so a write another instance committed before the read started
 * shows in this answer.
 */
export async function readWithHourCache<T, P>(
  owner: object,
  kind: string,
  lo: number,
  hi: number,
  nowMs: number,
  agg: BlockAggregation<T, P>,
  fresh?: Promise<void>,
): Promise<T> {
  const used: Used[] = [];
  const value = await readCached(owner, kind, lo, hi, nowMs, Date.now(), agg, used);
  if (!fresh) return value;
  await fresh;
  if (!used.some((u) => writtenSince(u.start, u.size, u.at, u.seen))) return value;
  // Stamped after every mark heard so far (a mark heard the same millisecond would drop them again).
  const latest = Math.max(...storeMarks.map((n) => n.atMs));
  while (Date.now() <= latest) await new Promise((r) => setTimeout(r, 1));
  return readCached(owner, kind, lo, hi, nowMs, Date.now(), agg, []);
}

/** A cached entry a read used or kept: [start, start + size) minutes, computed at `at` / `seen`. */
interface Used {
  start: number;
  size: number;
  at: number;
  seen: number;
}

/** readWithHourCache once; entries it computes are stamped `seenAt` (wall clock when their reads started). */
async function readCached<T, P>(
  owner: object,
  kind: string,
  lo: number,
  hi: number,
  nowMs: number,
  seenAt: number,
  agg: BlockAggregation<T, P>,
  used: Used[],
): Promise<T> {
  const { read, empty, pack, mergePacked } = agg;
  if (!listening) {
    listening = true;
    onLateRollups(noteLateWrite);
  }
  const settled = Math.floor(nowMs / 60_000) - SETTLE_MINUTES;
  let cache = caches.get(owner);
  if (!cache) caches.set(owner, (cache = new Map()));
  const store = cache;

  const keyOf = (start: number, size: number) => `${kind}:${size}:${start}`;
  const cached = (start: number, size: number): Entry | undefined => {
    const entry = store.get(keyOf(start, size));
    const ttl = (start + size) * 60_000 > nowMs - 3_600_000 ? TTL_RECENT_MS : TTL_OLD_MS;
    const hit =
      entry && nowMs - entry.at <= ttl && !writtenSince(start, size, entry.at, entry.seen) ? entry : undefined;
    if (hit) used.push({ start, size, at: hit.at, seen: hit.seen });
    return hit;
  };
  const keep = (start: number, size: number, value: T): Entry => {
    const key = keyOf(start, size);
    const entry = { at: nowMs, seen: seenAt, value: pack(value) };
    used.push({ start, size, at: nowMs, seen: seenAt });
    store.delete(key);
    store.set(key, entry);
    if (store.size > MAX_ENTRIES) store.delete(store.keys().next().value!);
    return entry;
  };
  const block = async (start: number, level: number): Promise<P> => {
    const size = BLOCKS[level]!;
    let entry = cached(start, size);
    if (!entry) {
      const value = empty();
      for (const part of await Promise.all(parts(start, start + size, level + 1))) mergePacked(value, part);
      entry = keep(start, size, value);
    }
    return entry.value as P;
  };
  let ranges = rangeCaches.get(owner);
  if (!ranges) rangeCaches.set(owner, (ranges = new Map()));
  const rangeStore = ranges;
  const rawPart = async (a: number, b: number): Promise<P> => {
    const key = `${kind}:${a}:${b}`;
    const hit = rangeStore.get(key);
    if (hit && nowMs - hit.at <= RANGE_TTL_MS && !writtenSince(a, b - a, hit.at, hit.seen)) {
      used.push({ start: a, size: b - a, at: hit.at, seen: hit.seen });
      return hit.value as P;
    }
    const value = empty();
    await read(value, a, b);
    const packed = pack(value);
    if (b <= settled) {
      for (const [k, e] of rangeStore) if (nowMs - e.at > RANGE_TTL_MS) rangeStore.delete(k);
      rangeStore.set(key, { at: nowMs, seen: seenAt, value: packed });
      used.push({ start: a, size: b - a, at: nowMs, seen: seenAt });
      if (rangeStore.size > MAX_RANGES) rangeStore.delete(rangeStore.keys().next().value!);
    }
    return packed;
  };

  /**
   * The parts of [a, b) in time order: cached or computed blocks and raw ranges, all read at
   * once (a window is a few store reads in parallel, not one after the other) and merged in
   * order, so the answer does not depend on which read returns first.
   */
  const parts = (a: number, b: number, level: number): Promise<P>[] => {
    if (a >= b) return [];
    // Raw minutes: the settled ones (kept by range) apart from the unsettled ones (read each time).
    if (level >= BLOCKS.length)
      return a < settled && settled < b ? [rawPart(a, settled), rawPart(settled, b)] : [rawPart(a, b)];
    const size = BLOCKS[level]!;
    const out: Promise<P>[] = [];
    let cursor = a;
    for (let start = Math.ceil(a / size) * size; start + size <= b && start + size <= settled; start += size) {
      out.push(...parts(cursor, start, level + 1), block(start, level));
      cursor = start + size;
    }
    out.push(...parts(cursor, b, level + 1));
    return out;
  };

  /** Complete hours inside [a, b) the cache lacks, read in one call of the store's hour rollups. */
  const prefetchHours = async (a: number, b: number) => {
    if (!agg.readHours) return;
    const missing: number[] = [];
    for (let start = Math.ceil(a / 60) * 60; start + 60 <= b && start + 60 <= settled; start += 60)
      if (!cached(start, 60)) missing.push(start);
    if (missing.length > 0) {
      const hours = await agg.readHours(missing[0]!, missing[missing.length - 1]! + 60);
      for (const start of missing) keep(start, 60, hours.get(start) ?? empty());
    }
  };

  /**
   * The window's run of complete blocks [m0, m1) merged once and kept as one entry (as long as
   * its newest block would be): a window of a day is otherwise ~30 blocks merged per read.
   */
  const m0 = Math.ceil(lo / 10) * 10;
  const m1 = Math.min(Math.floor(hi / 10) * 10, Math.floor(settled / 10) * 10);
  const middle = async (): Promise<P[]> => {
    if (m0 >= m1) return [];
    const key = `${kind}:run:${m0}:${m1}`;
    const hit = store.get(key);
    if (hit && nowMs - hit.at <= TTL_RECENT_MS && !writtenSince(m0, m1 - m0, hit.at, hit.seen)) {
      used.push({ start: m0, size: m1 - m0, at: hit.at, seen: hit.seen });
      return [hit.value as P];
    }
    await prefetchHours(m0, m1);
    const value = empty();
    for (const part of await Promise.all(parts(m0, m1, 0))) mergePacked(value, part);
    const entry = { at: nowMs, seen: seenAt, value: pack(value) };
    used.push({ start: m0, size: m1 - m0, at: nowMs, seen: seenAt });
    store.delete(key);
    store.set(key, entry);
    if (store.size > MAX_ENTRIES) store.delete(store.keys().next().value!);
    return [entry.value];
  };
  // Every read starts at once; parts are merged in time order.
  const [left, run, right] = await Promise.all([
    Promise.all(m0 < m1 ? parts(lo, m0, 1) : parts(lo, hi, 0)),
    middle(),
    Promise.all(m0 < m1 ? parts(m1, hi, 0) : []),
  ]);
  const out = empty();
  for (const part of [...left, ...run, ...right]) mergePacked(out, part);
  return out;
}
