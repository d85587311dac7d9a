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
 * Lines holding `word` per step and severity range over the whole minutes [fromMin, toMin),
 * from the per-minute word counts (logs-terms.ts), added with `add(step, range, n)`. Returns
 * false, adding nothing, when those counts cannot answer exactly: the word is not tracked
 * since fromMin, a minute of the window holds a body the counts skipped, or the oldest stored
 * minute lies inside the window (retention removed lines whose counts remain).
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
): boolean {
  if (!hasTermTables(db)) return false;
  const term = db.prepare(`SELECT id, since_minute AS since FROM log_term WHERE term = ?`).get(word) as
    { id: number; since: number } | undefined;
  if (!term || term.since > fromMin) return false;
  const oldest = db.prepare(`SELECT min(time_ns) FROM logs`).pluck().safeIntegers(true).get() as bigint | null;
  if (oldest === null || Number(oldest / MINUTE_NS) >= fromMin) return false;
  const dirty = db
    .prepare(`SELECT 1 FROM log_term_dirty WHERE minute >= ? AND minute < ? LIMIT 1`)
    .get(BigInt(fromMin), BigInt(toMin));
  if (dirty !== undefined) return false;
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
      BigInt(fromMin),
      BigInt(toMin),
      BigInt(minRange ?? 0),
    ) as { b: number; sr: number; n: number }[];
  for (const r of rows) add(r.b, r.sr, r.n);
  return true;
}
