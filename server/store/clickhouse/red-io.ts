import "server-only";
import { queryRows, type Connection } from "./connection";
import type { FlushCoverSource } from "./rollup-epochs";
import { sketchFields } from "./sketch-columns";
import { dayOf, sqlInt, sqlString } from "./sql";

/** One RED cell (service × operation × span kind × minute) as an instance flushes it. */
export interface StoredRedCell {
  service: string;
  /** '' for none. */
  environment: string;
  operation: string;
  kind: number;
  minute: number;
  count: number;
  errors: number;
  sketch: Uint8Array;
}

export interface StoredServiceSeen {
  name: string;
  namespace: string | null;
  environment: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** A RED cell as the columns of `red_minute` and `red_recovered` hold it. */
export function redCellColumns(c: StoredRedCell): Record<string, unknown> {
  return {
    day: dayOf(c.minute * 60_000),
    minute: c.minute,
    service: c.service,
    environment: c.environment,
    operation: c.operation,
    kind: c.kind,
    count: c.count,
    errors: c.errors,
    ...sketchFields("d", c.sketch),
  };
}

/**
 * Appends RED cells and service sightings. Every instance appends its own rows for a minute;
 * reads sum them (counts) and merge their sketches, so several instances, or several flushes
 * of one, never overwrite each other.
 *
 * The cells of one flush go in one insert into one node's own table (not through the
 * Distributed table, which would split them over shards): a single-block insert into a MergeTree
 * is stored whole or not at all, so the epochs the rows name (`flush`, rollup-epochs.ts) are
 * counted exactly when the rows are. When the insert fails, whether it was stored after all is
 * asked before failing the flush (the flush after a failed one writes its cells again).
 */
export async function appendRed(
  conn: Connection,
  cells: readonly StoredRedCell[],
  services: readonly StoredServiceSeen[],
  flush?: FlushCoverSource,
): Promise<void> {
  const db = conn.settings.database;
  if (cells.length > 0) {
    const cover = flush?.cover() ?? null;
    const node = conn.nodes[Math.floor(Math.random() * conn.nodes.length)]!;
    const tag = { writer: cover?.writer ?? "", first_epoch: cover?.first ?? 0, last_epoch: cover?.last ?? 0 };
    try {
      await node.insert({
        table: `${db}.${conn.settings.cluster ? "red_minute_local" : "red_minute"}`,
        format: "JSONEachRow",
        values: cells.map((c) => ({ ...redCellColumns(c), ...tag })),
      });
    } catch (err) {
      if (!cover || !(await flushStored(conn, cover, cells).catch(() => false))) throw err;
    }
    flush?.landed();
  }
  if (services.length > 0) {
    await conn.main.insert({
      table: `${db}.services`,
      format: "JSONEachRow",
      values: services.map((s) => ({
        day: dayOf(s.lastSeenMs),
        name: s.name,
        namespace: s.namespace ?? "",
        environment: s.environment ?? "",
        first_seen_ms: s.firstSeenMs,
        last_seen_ms: s.lastSeenMs,
      })),
    });
  }
}

/** Whether a flush's rows are stored (an insert that failed on the way back, not on the way in). */
async function flushStored(
  conn: Connection,
  cover: { writer: string; first: number; last: number },
  cells: readonly StoredRedCell[],
) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cells) {
    lo = Math.min(lo, c.minute);
    hi = Math.max(hi, c.minute);
  }
  const [r] = await queryRows<{ n: string | number }>(
    conn.main,
    `SELECT count() AS n FROM ${conn.settings.database}.red_minute WHERE minute >= ${sqlInt(lo)}
      AND minute <= ${sqlInt(hi)} AND writer = ${sqlString(cover.writer)} AND last_epoch = ${sqlInt(cover.last)}`,
  );
  return Number(r?.n ?? 0) >= cells.length;
}
