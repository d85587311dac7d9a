import "server-only";
import type { RollupJournal } from "../telemetry-store";
import type { Db } from "./open";
import { spanReaderFor } from "./read-spans";
import { forgetOpenRedCells } from "./rollups";

/**
 * The embedded store's rollup journal (see RollupJournal): table `rollup_mark` holds the last
 * span block whose spans the stored rollups include. It is written in the same transaction as
 * the rollups, so after a kill the blocks after it are exactly the spans to aggregate again.
 * A database from before the journal starts with the mark at its newest block (what it
 * aggregated before cannot be known; nothing is counted twice). Table `aggregator_state` holds
 * what the aggregators saved with the last flush of a clean stop, read and cleared at start.
 */
export function createRollupJournal(db: Db): RollupJournal {
  db.exec(`CREATE TABLE IF NOT EXISTS rollup_mark (id INTEGER PRIMARY KEY CHECK (id = 1), block_id INTEGER NOT NULL)`);
  db.prepare(
    `INSERT OR IGNORE INTO rollup_mark (id, block_id) SELECT 1, coalesce((SELECT max(id) FROM span_blocks), 0)`,
  ).run();
  const readMark = db.prepare(`SELECT block_id FROM rollup_mark WHERE id = 1`).pluck();
  const writeMark = db.prepare(`UPDATE rollup_mark SET block_id = ? WHERE id = 1`);
  const newestBlock = db.prepare(`SELECT coalesce(max(id), 0) FROM span_blocks`).pluck();
  db.exec(`CREATE TABLE IF NOT EXISTS aggregator_state (name TEXT PRIMARY KEY, payload TEXT NOT NULL)`);
  const writeState = db.prepare(`INSERT OR REPLACE INTO aggregator_state (name, payload) VALUES (?, ?)`);
  const readStates = db.prepare(`SELECT name, payload FROM aggregator_state`);
  const clearStates = db.prepare(`DELETE FROM aggregator_state`);

  return {
    async flushAtomically(flush, through, states) {
      db.exec("BEGIN IMMEDIATE");
      try {
        await flush();
        // SQLite ends a transaction on its own after some failures (disk full): never mark then.
        if (!db.inTransaction) throw new Error("the rollup flush's transaction was rolled back");
        writeMark.run(through ?? (newestBlock.get() as number));
        if (states) for (const [name, payload] of states()) writeState.run(name, payload);
        db.exec("COMMIT");
      } catch (e) {
        if (db.inTransaction) db.exec("ROLLBACK");
        forgetOpenRedCells(db);
        throw e;
      }
    },
    async takeStates() {
      const rows = readStates.all() as { name: string; payload: string }[];
      if (rows.length) clearStates.run();
      return new Map(rows.map((r) => [r.name, r.payload]));
    },
    async readUnaggregated(limit) {
      const r = spanReaderFor(db).readAppendedAfter(readMark.get() as number, limit);
      return { spans: r.spans, through: r.lastBlockId, more: r.more };
    },
  };
}
