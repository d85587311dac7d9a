import "server-only";
import type { Db } from "../store";

/**
 * Windows re-read the same complete minutes again and again (auto-refresh, alert rules).
 * A complete block (10 minutes or an hour, ended more than SETTLE_MINUTES ago) is merged
 * once and kept for TTL_MS; a window is then at most ~18 raw minutes at its edges plus
 * cached blocks. Late spans for a cached block show up when its entry expires. One cache
 * per read connection, bounded in entries.
 */
const SETTLE_MINUTES = 2;
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 2000;

interface Entry {
  at: number;
  value: unknown;
}
const caches = new WeakMap<Db, Map<string, Entry>>();

/** Block sizes in minutes, largest first: hours, then 10-minute blocks, then raw minutes. */
const BLOCKS = [60, 10];

/**
 * Aggregates [lo, hi) (epoch minutes) as `read(a, b)` over the uncached parts and cached
 * complete blocks (an hour is built from its cached 10-minute blocks), combined with
 * `merge(into, part)`, which must not keep references to `part`'s mutable state: cached
 * parts are reused.
 */
export function readWithHourCache<T>(
  db: Db,
  kind: string,
  lo: number,
  hi: number,
  nowMs: number,
  read: (a: number, b: number) => T,
  merge: (into: T, part: T) => void,
  empty: () => T,
): T {
  const settled = Math.floor(nowMs / 60_000) - SETTLE_MINUTES;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const store = cache;

  const block = (start: number, level: number): T => {
    const size = BLOCKS[level]!;
    const key = `${kind}:${size}:${start}`;
    let entry = store.get(key);
    if (!entry || nowMs - entry.at > TTL_MS) {
      const value = empty();
      collect(value, start, start + size, level + 1);
      entry = { at: nowMs, value };
      store.delete(key);
      store.set(key, entry);
      if (store.size > MAX_ENTRIES) store.delete(store.keys().next().value!);
    }
    return entry.value as T;
  };

  const collect = (out: T, a: number, b: number, level: number): void => {
    if (a >= b) return;
    if (level >= BLOCKS.length) return merge(out, read(a, b));
    const size = BLOCKS[level]!;
    let cursor = a;
    for (let start = Math.ceil(a / size) * size; start + size <= b && start + size <= settled; start += size) {
      collect(out, cursor, start, level + 1);
      merge(out, block(start, level));
      cursor = start + size;
    }
    collect(out, cursor, b, level + 1);
  };

  const out = empty();
  collect(out, lo, hi, 0);
  return out;
}
