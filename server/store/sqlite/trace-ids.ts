import "server-only";
import type { Db } from "./open";

/** How far before a window a trace may start and still count as in it (a span of it starts in the window). */
const LOOKBACK_NS = 3_600_000n * 1_000_000n;

/**
 * Ids of traces with a span that started in [fromMs, toMs): their summary spans the window.
 * Traces that began more than an hour before the window are not looked for.
 */
export function listTraceIdsInWindow(db: Db, fromMs: number, toMs: number): string[] {
  const fromNs = BigInt(Math.floor(fromMs)) * 1_000_000n;
  const toNs = BigInt(Math.floor(toMs)) * 1_000_000n;
  const rows = db
    .prepare(
      `SELECT trace_id FROM traces INDEXED BY traces_start WHERE start_ns >= ? AND start_ns < ? AND last_ns >= ?`,
    )
    .pluck()
    .all(fromNs - LOOKBACK_NS, toNs, fromNs) as Buffer[];
  return rows.map((b) => b.toString("hex"));
}
