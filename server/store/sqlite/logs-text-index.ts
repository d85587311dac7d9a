import "server-only";
import type { Db } from "./open";
import { ensureLogMeta } from "./logs-ids";

/**
 * The text index of log lines, second shape: `logs_text(body, tags)`, contentless, rowid =
 * `logs.id`. `body` holds the body's words; `tags` holds one token for the line's service
 * (`s` + a hash of its name) and one for its severity number (`n0`..`n24`, `n0` standing for
 * every number below 1 and `n24` for every number above 23). A search for a word within a
 * service and a minimum severity is then one FTS5 query whose posting lists FTS5 intersects
 * (seeking by rowid), instead of reading every row the word matches and dropping most.
 * Tokens may collide (a hash): callers always re-check service and severity on the row, so
 * tags narrow, rows decide.
 *
 * The first shape, `logs_fts(body)`, is kept as it is on databases written before: no line is
 * indexed twice. When the writer first opens such a database it creates `logs_text` and
 * records in log_meta the id range the old index covers (`fts_old_lo` / `fts_old_hi`); every
 * line appended afterwards goes to `logs_text` only, whatever its id. Reads consult the old
 * index only for windows overlapping that range, and retention drops the old index once no
 * line of that range remains.
 */
export const TEXT_TABLE = "logs_text";
const OLD_TABLE = "logs_fts";

/** `fts5vocab` over logs_text, one row per term occurrence: cheap to step from term to term. */
export const VOCAB_TABLE = "logs_text_vocab";

export const MAX_TAG_SEVERITY = 24;

/** The FTS5 token naming a service in `tags` (base-36 of a 53-bit hash of the name). */
export function serviceTag(service: string, hash: (text: string) => number): string {
  return `s${hash(service).toString(36)}`;
}

/** The FTS5 token of a severity number in `tags`. */
export function severityTag(severityNumber: number): string {
  return `n${Math.max(0, Math.min(MAX_TAG_SEVERITY, Math.trunc(severityNumber)))}`;
}

function tableExists(db: Db, name: string): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).pluck().get(name) !== undefined;
}

/**
 * The writer, on open (databases of any age): creates logs_text and its vocabulary table, and
 * on a database with the old index, records the old index's id range (or drops the old index
 * when there is no line to cover). Idempotent.
 */
export function ensureLogTextIndex(db: Db): void {
  ensureLogMeta(db);
  if (tableExists(db, TEXT_TABLE)) return;
  db.transaction(() => {
    db.exec(`CREATE VIRTUAL TABLE ${TEXT_TABLE} USING fts5(body, tags, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE IF NOT EXISTS ${VOCAB_TABLE} USING fts5vocab(${TEXT_TABLE}, 'instance');`);
    if (!tableExists(db, OLD_TABLE)) return;
    const range = db.prepare(`SELECT min(id) AS lo, max(id) AS hi FROM logs`).get() as {
      lo: number | null;
      hi: number | null;
    };
    if (range.lo === null || range.hi === null) {
      db.exec(`DROP TABLE ${OLD_TABLE}`);
      return;
    }
    const put = db.prepare(`INSERT OR REPLACE INTO log_meta (key, value) VALUES (?, ?)`);
    put.run("fts_old_lo", range.lo);
    put.run("fts_old_hi", range.hi);
  })();
}

/** Which text indexes a connection reads: the current one if it exists, the old one's id range if it remains. */
export interface TextIndexes {
  current: boolean;
  old: { lo: number; hi: number } | null;
  vocab: boolean;
}

export function readTextIndexes(db: Db): TextIndexes {
  const current = tableExists(db, TEXT_TABLE);
  const hasOld = tableExists(db, OLD_TABLE);
  let old: TextIndexes["old"] = null;
  if (hasOld) {
    if (!current) old = { lo: -Infinity, hi: Infinity };
    else {
      const get = db.prepare(`SELECT value FROM log_meta WHERE key = ?`).pluck();
      const lo = get.get("fts_old_lo") as number | undefined;
      const hi = get.get("fts_old_hi") as number | undefined;
      old = lo === undefined || hi === undefined ? { lo: -Infinity, hi: Infinity } : { lo, hi };
    }
  }
  return { current, old, vocab: current && tableExists(db, VOCAB_TABLE) };
}

/** Deletes lines' entries from whichever text index holds them (retention). */
export function deleteTextEntries(db: Db, idList: string): void {
  if (tableExists(db, TEXT_TABLE)) db.prepare(`DELETE FROM ${TEXT_TABLE} WHERE rowid IN (${idList})`).run();
  if (tableExists(db, OLD_TABLE)) db.prepare(`DELETE FROM ${OLD_TABLE} WHERE rowid IN (${idList})`).run();
}

/** Drops the old index once no line of its id range remains (retention, after deleting). */
export function dropOldTextIndexWhenEmpty(db: Db): boolean {
  const idx = readTextIndexes(db);
  if (!idx.current || !idx.old) return false;
  const left = db.prepare(`SELECT 1 FROM logs WHERE id BETWEEN ? AND ? LIMIT 1`).get(idx.old.lo, idx.old.hi);
  if (left !== undefined) return false;
  db.transaction(() => {
    db.exec(`DROP TABLE ${OLD_TABLE}`);
    db.prepare(`DELETE FROM log_meta WHERE key IN ('fts_old_lo', 'fts_old_hi')`).run();
  })();
  return true;
}
