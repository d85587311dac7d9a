import "server-only";
import { deleteOldestBlocks } from "./span-retention";
import type { Db } from "./open";
import { deleteTextEntries, dropOldTextIndexWhenEmpty } from "./logs-text-index";

const CHUNK = 20_000;

function usedBytes(db: Db): number {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = db.pragma("page_count", { simple: true }) as number;
  const free = db.pragma("freelist_count", { simple: true }) as number;
  return (pages - free) * pageSize;
}

/** Deletes log rows by id with their text-index entries; returns how many went. */
function deleteLogs(db: Db, selectIds: string, args: unknown[]): number {
  const ids = db
    .prepare(selectIds)
    .pluck()
    .all(...args) as number[];
  if (ids.length === 0) return 0;
  const list = ids.join(",");
  deleteTextEntries(db, list);
  return db.prepare(`DELETE FROM logs WHERE id IN (${list})`).run().changes;
}

/**
 * Log retention: by age (the raw-data age), then inside the disk budget. Over budget, the
 * oldest raw data goes first whichever kind it is: a chunk of logs when the oldest log is
 * older than the oldest span, else a chunk of spans. Each step deletes about half the
 * overshoot's share and re-measures; the text index frees its pages lazily (merges), so a
 * run stops after a bounded number of steps and the next run continues, instead of
 * deleting everything while the index catches up. Runs before the span retention, which
 * then finds the budget already met. Chunks keep each write-lock hold short.
 */
export function enforceLogRetention(
  db: Db,
  policy: { rawMaxAgeMs: number; diskBudgetBytes: number },
  nowMs: number,
): { logsDeleted: number; spansDeleted: number } {
  const cutoffNs = BigInt(Math.floor(nowMs - policy.rawMaxAgeMs)) * 1_000_000n;
  let logsDeleted = 0;
  let spansDeleted = 0;
  for (;;) {
    const n = db.transaction(() =>
      deleteLogs(db, `SELECT id FROM logs WHERE time_ns < ? LIMIT ${CHUNK}`, [cutoffNs]),
    )();
    logsDeleted += n;
    if (n < CHUNK) break;
  }
  if (logsDeleted > 0) dropOldTextIndexWhenEmpty(db);
  if (policy.diskBudgetBytes <= 0) return { logsDeleted, spansDeleted };
  const oldestLog = db.prepare(`SELECT min(time_ns) FROM logs`).pluck().safeIntegers(true);
  const oldestSpan = db.prepare(`SELECT min(min_start_ns) FROM span_blocks`).pluck().safeIntegers(true);
  // Stored lines, estimated from the minute counts since the oldest line (ids follow time,
  // not arrival: their span says nothing of the count).
  const countLogs = db
    .prepare(
      `SELECT coalesce(sum(count), 0) FROM log_minute WHERE minute >= (SELECT min(time_ns) / 60000000000 FROM logs)`,
    )
    .pluck();
  const countBlocks = db.prepare(`SELECT count(*) FROM span_blocks`).pluck();
  let used = usedBytes(db);
  for (let step = 0; used > policy.diskBudgetBytes && step < 20; step++) {
    const log = oldestLog.get() as bigint | null;
    const span = oldestSpan.get() as bigint | null;
    if (log === null && span === null) break;
    const share = (used - policy.diskBudgetBytes) / used;
    if (log !== null && (span === null || log <= span)) {
      const n = Math.min(CHUNK, Math.max(100, Math.ceil(((countLogs.get() as number) ?? 0) * share * 0.5)));
      const d = db.transaction(() => deleteLogs(db, `SELECT id FROM logs ORDER BY time_ns LIMIT ?`, [n]))();
      logsDeleted += d;
      if (d === 0) break;
    } else {
      // Spans go by whole blocks (span-retention.ts).
      const n = Math.min(CHUNK, Math.max(1, Math.ceil((countBlocks.get() as number) * share * 0.5)));
      const d = db.transaction(() => deleteOldestBlocks(db, n))();
      spansDeleted += d;
      if (d === 0) break;
    }
    used = usedBytes(db);
  }
  if (logsDeleted > 0) dropOldTextIndexWhenEmpty(db);
  return { logsDeleted, spansDeleted };
}
