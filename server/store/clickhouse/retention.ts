import "server-only";
import { queryRows, type Connection } from "./connection";
import { localTableName, TABLES } from "./schema";
import { dayOf, sqlString } from "./sql";

/** Tables holding raw telemetry (CARTOGRAPH_RETENTION_RAW_HOURS) and rollups (_ROLLUP_HOURS). */
const RAW = ["spans", "trace_index", "metric_points", "logs"];
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
