import "server-only";
import type { Db } from "../store";

/**
 * Long windows read the same complete hours again and again (auto-refresh, alert rules).
 * A complete hour (ended more than SETTLE_MINUTES ago) is merged from its minute rollups
 * once and kept for TTL_MS; a window is then its partial edge minutes plus cached hours.
 * Late spans for a cached hour show up when its entry expires. One cache per read
 * connection, bounded in entries.
 */
const SETTLE_MINUTES = 2;
const TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 2000;

interface Entry {
  at: number;
  value: unknown;
}
const caches = new WeakMap<Db, Map<string, Entry>>();

/**
 * Aggregates [lo, hi) (epoch minutes) as `read(a, b)` over the uncached parts and cached
 * whole hours, combined with `merge(into, part)` (which must not keep references to `part`'s
 * mutable state: cached parts are reused).
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
  const firstHour = Math.ceil(lo / 60) * 60;
  const out = empty();
  let cursor = lo;
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  for (let h = firstHour; h + 60 <= hi && h + 60 <= settled; h += 60) {
    if (cursor < h) merge(out, read(cursor, h));
    const key = `${kind}:${h}`;
    let entry = cache.get(key);
    if (!entry || nowMs - entry.at > TTL_MS) {
      entry = { at: nowMs, value: read(h, h + 60) };
      cache.delete(key);
      cache.set(key, entry);
      if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    }
    merge(out, entry.value as T);
    cursor = h + 60;
  }
  if (cursor < hi) merge(out, read(cursor, hi));
  return out;
}
