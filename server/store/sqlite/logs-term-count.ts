import "server-only";
import type { Db } from "./open";
import { plainPrefixToken } from "./logs-text-query";
import { prefixTerms, type CompiledFilter } from "./logs-filter";

const MINUTE_NS = 60_000_000_000n;
const WORD = /^[A-Za-z0-9]+$/;

/**
 * The one index word a text stands for, when its lines are exactly those holding that word:
 * a single ASCII word (or a one-word phrase), or a prefix the index expands to one word.
 */
export function singleWordOf(db: Db, c: CompiledFilter): string | null {
  if (c.terms?.length !== 1) return null;
  const t = c.terms[0]!;
  if (!t.prefix) return WORD.test(t.text) ? t.text.toLowerCase() : null;
  const token = plainPrefixToken(t);
  const expanded = token === null ? null : prefixTerms(db, c, token);
  return expanded?.length === 1 && WORD.test(expanded[0]!) ? expanded[0]! : null;
}

function hasTermTables(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'log_term_dirty'`).get() !== undefined;
}

/**
 * Lines holding `word` per step and severity range over the whole minutes [start, toMin),
 * from the per-minute word counts (logs-terms.ts), added with `add(step, range, n)`; returns
 * `start`, the first minute they answer for, or null when they answer for none. `start` is
 * past every minute of the window the counts cannot answer exactly: before the word was
 * tracked, up to the oldest stored minute (retention removed lines whose counts remain), up
 * to the last minute holding a body the counts skipped. The caller counts [fromMin, start)
 * from the index.
 */
export function addFromTermMinutes(
  db: Db,
  word: string,
  minRange: number | undefined,
  fromMin: number,
  toMin: number,
  originMs: number,
  stepMs: number,
  add: (step: number, range: number, n: number) => void,
): number | null {
  if (!hasTermTables(db)) return null;
  const term = db.prepare(`SELECT id, since_minute AS since FROM log_term WHERE term = ?`).get(word) as
    { id: number; since: number } | undefined;
  if (!term) return null;
  const oldest = db.prepare(`SELECT min(time_ns) FROM logs`).pluck().safeIntegers(true).get() as bigint | null;
  if (oldest === null) return null;
  let start = Math.max(fromMin, term.since, Number(oldest / MINUTE_NS) + 1);
  const dirty = db
    .prepare(`SELECT max(minute) FROM log_term_dirty WHERE minute >= ? AND minute < ?`)
    .pluck()
    .get(BigInt(start), BigInt(toMin)) as number | null;
  if (dirty !== null) start = dirty + 1;
  if (start >= toMin) return null;
  // Integers bound as bigint: a number binds as REAL and the division would be fractional.
  const rows = db
    .prepare(
      `SELECT ((minute - ?) / ?) AS b, severity_range AS sr, sum(count) AS n FROM log_term_minute
       WHERE term_id = ? AND minute >= ? AND minute < ? AND severity_range >= ? GROUP BY b, sr`,
    )
    .all(
      BigInt(originMs / 60_000),
      BigInt(stepMs / 60_000),
      term.id,
      BigInt(start),
      BigInt(toMin),
      BigInt(minRange ?? 0),
    ) as { b: number; sr: number; n: number }[];
  for (const r of rows) add(r.b, r.sr, r.n);
  return start;
}
