import "server-only";
import { queryRows, type Connection } from "./connection";
import { localTableName, TABLES } from "./schema";
import { dayOf, sqlString } from "./sql";

/** Tables holding raw telemetry (CARTOGRAPH_RETENTION_RAW_HOURS) and rollups (_ROLLUP_HOURS). */
const RAW = ["spans", "trace_index", "span_arrivals", "late_windows", "rollup_epochs", "metric_points", "logs"];
const ROLLUP = [
  "red_minute",
  "services",
  "edge_minute",
  "graph_nodes",
  "graph_edges",
  "graph_stats_minute",
  "graph_passes",
  "metric_series",
  "log_minute",
  "red_hour",
  "edge_hour",
  "graph_hours",
  "edge_merged",
  "graph_minutes",
  "red_recovered",
  "rollup_changes",
];

/**
 * Retention without TTL (18.16 has none): every table is partitioned by day, and whole days
 * older than the cutoff are dropped with ALTER TABLE ... DROP PARTITION on every node (the
 * local tables of a cluster). A day is dropped only when all of it is past the cutoff, so
 * retention keeps up to one day more than asked. Run by the elected leader only; dropping a
 * partition that is already gone is not an error, so a repeated run is harmless.
 * Returns the partitions dropped.
 */
export async function dropExpiredPartitions(
  conn: Connection,
  rawBeforeMs: number,
  rollupBeforeMs: number,
): Promise<string[]> {
  const s = conn.settings;
  const dropped: string[] = [];
  const cut = (names: string[], beforeMs: number) =>
    names.map((n) => ({ table: localTableName(TABLES[n]!, s.cluster), before: dayOf(beforeMs - 86_400_000 + 1) }));
  const targets = [...cut(RAW, rawBeforeMs), ...cut(ROLLUP, rollupBeforeMs)];
  for (const node of conn.nodes) {
    for (const t of targets) {
      const parts = await queryRows<{ partition: string }>(
        node,
        `SELECT DISTINCT partition FROM system.parts WHERE database = ${sqlString(s.database)} AND table = ${sqlString(t.table)} AND active AND partition < ${sqlString(t.before)}`,
      );
      for (const p of parts) {
        await node.command({ query: `ALTER TABLE ${s.database}.${t.table} DROP PARTITION ${sqlString(p.partition)}` });
        dropped.push(`${t.table}/${p.partition}`);
      }
    }
  }
  return dropped;
}

/** What a disk-budget run did: partitions dropped, the database's size after, and whether it fits. */
export interface BudgetResult {
  dropped: string[];
  usedBytes: number;
  /** Still over the budget with only the current day left (the newest day is never dropped). */
  overBudget: boolean;
}

/**
 * The disk budget (CARTOGRAPH_DISK_BUDGET_BYTES) on ClickHouse: while the database's size (the
 * active parts in system.parts, summed over every listed node) is over the budget, the oldest
 * day of raw data (spans, trace index, metric points, logs) is dropped on every node, as the
 * embedded store trims its oldest raw data first; when only the current day of raw data is
 * left, the oldest days of rollups follow. The current day (UTC, of `nowMs`) is never dropped:
 * it holds what was just acknowledged. Run by the elected leader after the age cutoffs.
 */
export async function dropOverBudget(
  conn: Connection,
  budgetBytes: number,
  nowMs: number,
  measure: () => Promise<number>,
): Promise<BudgetResult> {
  const s = conn.settings;
  const today = dayOf(nowMs);
  const dropped: string[] = [];
  const tablesOf = (names: string[]) => names.map((n) => localTableName(TABLES[n]!, s.cluster));
  let used = await measure();
  for (const group of [tablesOf(RAW), tablesOf(ROLLUP)]) {
    while (used > budgetBytes) {
      const day = await oldestDay(conn, group, today);
      if (day === null) break;
      for (const node of conn.nodes)
        for (const table of group) {
          const [has] = await queryRows<{ n: string | number }>(
            node,
            `SELECT count() AS n FROM system.parts WHERE database = ${sqlString(s.database)} AND table = ${sqlString(table)} AND active AND partition = ${sqlString(day)}`,
          );
          if (Number(has?.n ?? 0) === 0) continue;
          await node.command({ query: `ALTER TABLE ${s.database}.${table} DROP PARTITION ${sqlString(day)}` });
          dropped.push(`${table}/${day}`);
        }
      used = await measure();
    }
  }
  return { dropped, usedBytes: used, overBudget: used > budgetBytes };
}

/** The oldest day partition of these tables on any node, before `today`; null when there is none. */
async function oldestDay(conn: Connection, tables: string[], today: string): Promise<string | null> {
  let oldest: string | null = null;
  for (const node of conn.nodes) {
    const [r] = await queryRows<{ p: string; n: string | number }>(
      node,
      `SELECT min(partition) AS p, count() AS n FROM system.parts WHERE database = ${sqlString(conn.settings.database)}
        AND table IN (${tables.map(sqlString).join(", ")}) AND active AND partition < ${sqlString(today)}`,
    );
    if (r && Number(r.n) > 0 && (oldest === null || r.p < oldest)) oldest = r.p;
  }
  return oldest;
}
