import "server-only";
import type { Db } from "./open";
import { buildBloom } from "./bloom";

/**
 * Block groups: consecutive span blocks (up to GROUP_BLOCKS of them, or GROUP_SPANS spans)
 * share one Bloom filter over every term of their blocks, so a search whose term is in none
 * of them skips the whole group without reading its blocks' filters (at 10M spans a no-match
 * search reads a few hundred group filters instead of ~20k block filters).
 *
 * The writer keeps the open group's terms in memory and writes the filter when the group is
 * sealed. A group whose every block's terms it did not see (written before groups existed,
 * another appender wrote in between, or a restart mid-group) is sealed without a filter
 * (bloom NULL): searches check its blocks one by one, never wrongly skip it. A transaction
 * rolled back after a block was noted only leaves extra terms in memory (a superset: more
 * false positives, never a missed block).
 */
export const GROUP_BLOCKS = 64;
const GROUP_SPANS = 65_536;
/** Past this many distinct terms the group keeps no filter (bounds the writer's memory). */
const MAX_GROUP_TERMS = 1 << 20;

interface OpenGroup {
  id: number;
  lastBlock: number;
  blocks: number;
  spans: number;
  /** null once a term may be missing (the group is sealed without a filter). */
  terms: Set<number> | null;
}

export interface BlockNote {
  id: number;
  minStartNs: bigint;
  maxStartNs: bigint;
  spans: number;
  terms: ReadonlySet<number>;
}

/** Tracks the writer's open group; `noteBlock` runs in the transaction that wrote the block. */
export function createGroupWriter(db: Db) {
  const extend = db.prepare(`UPDATE span_block_groups SET last_block = ?,
    min_start_ns = min(min_start_ns, ?), max_start_ns = max(max_start_ns, ?),
    blocks = blocks + 1, spans = spans + ?, bloom = ? WHERE id = ? AND last_block = ?`);
  const insert = db.prepare(`INSERT OR REPLACE INTO span_block_groups
    (id, last_block, min_start_ns, max_start_ns, blocks, spans, bloom) VALUES (?, ?, ?, ?, 1, ?, NULL)`);
  let open: OpenGroup | null = null;

  function start(b: BlockNote): void {
    insert.run(b.id, b.id, b.minStartNs, b.maxStartNs, b.spans);
    open = { id: b.id, lastBlock: b.id, blocks: 1, spans: b.spans, terms: new Set(b.terms) };
  }

  function noteBlock(b: BlockNote): void {
    const g = open;
    // Continue the open group only if this appender wrote its previous block (after a
    // rollback the same block id comes again; the database row says which block was last).
    if (g === null || b.id - 1 < g.id || g.lastBlock < b.id - 1) return start(b);
    if (g.terms) {
      for (const t of b.terms) g.terms.add(t);
      if (g.terms.size > MAX_GROUP_TERMS) g.terms = null;
    }
    const seal = g.blocks + 1 >= GROUP_BLOCKS || g.spans + b.spans >= GROUP_SPANS;
    const bloom = seal && g.terms ? buildBloom(g.terms) : null;
    const changed = extend.run(b.id, b.minStartNs, b.maxStartNs, b.spans, bloom, g.id, b.id - 1).changes;
    if (changed === 0) return start(b);
    g.lastBlock = b.id;
    g.blocks++;
    g.spans += b.spans;
    if (seal) open = null;
  }

  return { noteBlock };
}

/** Groups that may hold spans started in [fromNs, toNs), newest first. */
export interface GroupRow {
  id: bigint;
  last: bigint;
  max: bigint;
  bloom: Buffer | null;
}

export function selectGroups(db: Db, fromNs: bigint, toNs: bigint): GroupRow[] {
  return db
    .prepare(
      `SELECT id, last_block AS last, max_start_ns AS max, bloom FROM span_block_groups
       WHERE max_start_ns >= ? AND min_start_ns < ? ORDER BY max_start_ns DESC`,
    )
    .safeIntegers(true)
    .all(fromNs, toNs) as GroupRow[];
}

/** Drops groups none of whose blocks remain (after retention deleted blocks). */
export function dropEmptyGroups(db: Db): void {
  db.prepare(
    `DELETE FROM span_block_groups WHERE NOT EXISTS
      (SELECT 1 FROM span_blocks b WHERE b.id BETWEEN span_block_groups.id AND span_block_groups.last_block)`,
  ).run();
}
