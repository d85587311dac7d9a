import { BroadcastChannel } from "node:worker_threads";

/**
 * Notices, between the threads of one process, that rollups were written for minutes old
 * enough to sit in a query thread's cache of complete blocks (server/query/hour-cache.ts):
 * spans that arrive minutes late, a replay after a crash, a pairing pass catching up. Without
 * the notice a cached block would hide them until it expires (up to 30 minutes).
 *
 * Another instance's writes (ClickHouse, several processes) reach the cache through the store's
 * change marks instead (TelemetryReader.readRollupChanges), read by each map query.
 */
export interface LateRollupNotice {
  /** First minute (epoch minutes) the write touched; later minutes may have changed too. */
  sinceMinute: number;
  /** End (exclusive) of the minutes touched, when known; absent: every later minute. */
  untilMinute?: number;
  /** When the write was committed (epoch ms): blocks cached before it are stale. */
  atMs: number;
}

const CHANNEL = "cartograph:late-rollups";

/** A block is cached once it ended this many minutes ago; writes to newer minutes need no notice. */
export const CACHE_SETTLE_MINUTES = 2;

let sender: BroadcastChannel | null = null;

/** Tells every thread of this process that rollups from `sinceMinute` on were just written. */
export function announceLateRollups(sinceMinute: number, atMs = Date.now()): void {
  if (!Number.isFinite(sinceMinute)) return;
  if (!sender) {
    sender = new BroadcastChannel(CHANNEL);
    sender.unref();
  }
  const notice: LateRollupNotice = { sinceMinute, atMs };
  sender.postMessage(notice);
}

/**
 * After a commit of rollups whose earliest epoch minute is `minute` (null: none written): tells
 * the query threads when that minute is old enough that one of them may hold it cached. A query
 * that read before the commit had an earlier clock, so it cached no newer minute than this checks.
 */
export function announceWrittenRollups(minute: number | null, atMs = Date.now()): void {
  if (minute !== null && minute < Math.floor(atMs / 60_000) - CACHE_SETTLE_MINUTES) announceLateRollups(minute, atMs);
}

/** Calls `listener` for every notice sent by another thread of this process (and by this one). */
export function onLateRollups(listener: (notice: LateRollupNotice) => void): () => void {
  const receiver = new BroadcastChannel(CHANNEL);
  receiver.unref();
  receiver.onmessage = (event) => {
    const notice = (event as { data?: LateRollupNotice }).data;
    if (typeof notice?.sinceMinute === "number" && typeof notice.atMs === "number") listener(notice);
  };
  return () => receiver.close();
}
