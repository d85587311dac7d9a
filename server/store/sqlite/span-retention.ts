import "server-only";
import type { Db } from "./open";
import { dropEmptyGroups } from "./span-block-groups";

/**
 * Retention of raw spans works on whole blocks: a block goes when its newest span is older
 * than the cutoff (age), or when it is among the oldest while the store is over its disk
 * budget. A trace summary goes once no remaining block can hold one of its spans.
 */
const CHUNK = 2_000;

/** Deletes blocks whose every span started before `cutoffNs`; returns the spans removed. */
export function deleteSpansBefore(db: Db, cutoffNs: bigint): number {
  const pick = db.prepare(
    `SELECT id, spans FROM span_blocks WHERE max_start_ns < ? ORDER BY max_start_ns LIMIT ${CHUNK}`,
  );
  let spans = 0;
  for (;;) {
    const rows = pick.all(cutoffNs) as { id: number; spans: number }[];
    spans += dropBlocks(db, rows);
    if (rows.length < CHUNK) break;
  }
  if (spans > 0) dropEmptyGroups(db);
  dropOrphanSummaries(db);
  return spans;
}

/** Deletes the `n` blocks with the oldest spans; returns the spans removed. */
export function deleteOldestBlocks(db: Db, n: number): number {
  const rows = db.prepare(`SELECT id, spans FROM span_blocks ORDER BY max_start_ns LIMIT ?`).all(n) as {
    id: number;
    spans: number;
  }[];
  const spans = dropBlocks(db, rows);
  if (spans > 0) dropEmptyGroups(db);
  dropOrphanSummaries(db);
  return spans;
}

export function countBlocks(db: Db): number {
  return db.prepare(`SELECT count(*) FROM span_blocks`).pluck().get() as number;
}

/** Spans stored (sum over blocks). */
export function countStoredSpans(db: Db): number {
  return (db.prepare(`SELECT coalesce(sum(spans), 0) FROM span_blocks`).pluck().get() as number) ?? 0;
}

function dropBlocks(db: Db, rows: { id: number; spans: number }[]): number {
  const delBlock = db.prepare(`DELETE FROM span_blocks WHERE id = ?`);
  const delData = db.prepare(`DELETE FROM span_block_data WHERE id = ?`);
  let spans = 0;
  for (const r of rows) {
    delBlock.run(r.id);
    delData.run(r.id);
    spans += r.spans;
  }
  return spans;
}

/** Drops summaries whose every span started before the oldest span of any remaining block. */
function dropOrphanSummaries(db: Db): void {
  const oldest = db.prepare(`SELECT min(min_start_ns) FROM span_blocks`).safeIntegers(true).pluck().get() as
    bigint | null;
  const cutoffNs = oldest ?? 0x7fffffffffffffffn;
  const del = db.prepare(
    `DELETE FROM traces WHERE id IN (SELECT id FROM traces INDEXED BY traces_start WHERE start_ns < ? AND last_ns < ? LIMIT ${CHUNK * 10})`,
  );
  while (del.run(cutoffNs, cutoffNs).changes === CHUNK * 10);
}
