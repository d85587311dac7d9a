import "server-only";
import type { Db } from "./open";
import { countBlocks, deleteOldestBlocks, deleteSpansBefore } from "./span-retention";
import { enforceLogRetention } from "./logs-retention";
import type { RetentionPolicy, RetentionResult, RetentionStore } from "../telemetry-store";

const CHUNK = 20_000;

/** Used bytes of the database (pages in use, not counting the free list). */
export function measureUsedBytes(db: Db): number {
  const pageSize = db.pragma("page_size", { simple: true }) as number;
  const pages = db.pragma("page_count", { simple: true }) as number;
  const free = db.pragma("freelist_count", { simple: true }) as number;
  return (pages - free) * pageSize;
}

/**
 * Deletes telemetry older than the policy, in bounded chunks so one run never holds the
 * write lock for long, then trims the oldest raw spans while over the disk budget. Logs go
 * first (logs-retention.ts trims logs and spans by age of the oldest). Rollup tables are
 * discovered by their `minute` column so new rollups are covered too.
 */
export function enforceSqliteRetention(db: Db, policy: RetentionPolicy, nowMs: number): RetentionResult {
  const result: RetentionResult = {
    spansDeleted: 0,
    pointsDeleted: 0,
    logsDeleted: 0,
    rollupsDeleted: 0,
    usedBytes: 0,
  };
  const logs = enforceLogRetention(db, policy, nowMs);
  result.logsDeleted += logs.logsDeleted;
  result.spansDeleted += logs.spansDeleted;
  enforceRawAndRollups(db, policy, nowMs, result);
  return result;
}

/** Spans, metric points and rollups by age, then spans inside the disk budget. */
export function enforceRawAndRollups(
  db: Db,
  policy: RetentionPolicy,
  nowMs: number,
  result: RetentionResult,
): RetentionResult {
  const rawCutoffNs = BigInt(Math.floor(nowMs - policy.rawMaxAgeMs)) * 1_000_000n;
  const rollupCutoffMinute = Math.floor((nowMs - policy.rollupMaxAgeMs) / 60_000);
  const delPoints = db.prepare(
    `DELETE FROM metric_points WHERE (series_id, time_ns) IN (SELECT series_id, time_ns FROM metric_points WHERE time_ns < ? LIMIT ${CHUNK})`,
  );
  result.spansDeleted += deleteSpansBefore(db, rawCutoffNs);
  for (;;) {
    const n = delPoints.run(rawCutoffNs).changes;
    result.pointsDeleted += n;
    if (n < CHUNK) break;
  }
  const rollupTables = db
    .prepare(
      `SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) p WHERE p.name = 'minute')`,
    )
    .pluck()
    .all() as string[];
  for (const t of rollupTables) {
    result.rollupsDeleted += db.prepare(`DELETE FROM "${t}" WHERE minute < ?`).run(rollupCutoffMinute).changes;
  }
  // Nodes and edge facts not seen within the rollup retention: no window can show them any more.
  for (const t of ["graph_nodes", "graph_edges"])
    result.rollupsDeleted += db
      .prepare(`DELETE FROM ${t} WHERE last_seen_ms < ?`)
      .run(rollupCutoffMinute * 60_000).changes;

  if (policy.diskBudgetBytes > 0) {
    // Delete about the share of span blocks the overshoot represents (oldest first),
    // re-measure, repeat: trims to the budget without throwing away far more than needed.
    let used = measureUsedBytes(db);
    for (let guard = 0; used > policy.diskBudgetBytes && guard < 1000; guard++) {
      const total = countBlocks(db);
      if (total === 0) break;
      const share = (used - policy.diskBudgetBytes) / used;
      const n = Math.min(CHUNK, Math.max(1, Math.ceil(total * share * 0.5)));
      result.spansDeleted += deleteOldestBlocks(db, n);
      used = measureUsedBytes(db);
    }
  }
  result.usedBytes = measureUsedBytes(db);
  return result;
}

export function createRetentionStore(db: Db): RetentionStore {
  return {
    enforceRetention: (policy, nowMs) => enforceSqliteRetention(db, policy, nowMs),
    measureUsedBytes: () => measureUsedBytes(db),
  };
}
