import "server-only";
import type { Db } from "./open";

/**
 * Per-minute counts of frequent words, kept at ingest, so a histogram of one common word
 * reads ~60 small rows for an hour instead of counting ~80k index entries per severity.
 *
 * - `log_term`: the tracked words (at most MAX_TERMS, lower-case ASCII letters and digits,
 *   at most MAX_TERM_LENGTH long), each with `since_minute`: the first minute after every
 *   line stored before the word was tracked, so every line of a minute at or after it was
 *   counted. A word is tracked once it is on at least 1 % of the lines of a stretch of
 *   PROMOTE_EVERY lines (looked for on 1 line in 8 of them); never untracked (retention
 *   removes its counts with the rollups).
 * - `log_term_minute`: lines holding the word per minute and severity range, counted by the
 *   appender in the insert transaction (a line counts once however often it repeats the word).
 * - `log_term_dirty`: minutes with a body the counts may disagree with the index on. The
 *   appender splits bodies as FTS5's unicode61 tokenizer does for ASCII (runs of letters and
 *   digits, case-folded); a body with any non-ASCII character (which the tokenizer may fold
 *   into or join to a word) is not split and marks its minute: such minutes are counted from
 *   the index.
 */
export const MAX_TERMS = 1000;
export const MAX_TERM_LENGTH = 64;
export const PROMOTE_EVERY = 10_000;
const MAX_CANDIDATES = 100_000;

const TABLES = `
  CREATE TABLE IF NOT EXISTS log_term (
    id INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE,
    since_minute INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS log_term_minute (
    term_id INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    severity_range INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (term_id, minute, severity_range)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS log_term_dirty (minute INTEGER PRIMARY KEY);
`;

/** The writer, on open (databases of any age). Idempotent. */
export function ensureLogTermTables(db: Db): void {
  db.exec(TABLES);
}

const NON_ASCII = /[^\p{ASCII}]/u;

/**
 * Calls `fn` with each lower-case word of an ASCII body as FTS5's unicode61 tokenizer cuts
 * it (runs of ASCII letters and digits; every other ASCII character separates), repeats
 * included; false, without a call, when the body holds a non-ASCII character (see above).
 */
export function eachAsciiWord(text: string, fn: (word: string) => void): boolean {
  if (NON_ASCII.test(text)) return false;
  const lower = text.toLowerCase();
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      fn(lower.slice(start, i));
      start = -1;
    }
  }
  return true;
}

/** The distinct words of an ASCII body (eachAsciiWord); null for any other body. */
export function asciiWords(text: string): Set<string> | null {
  const words = new Set<string>();
  return eachAsciiWord(text, (w) => words.add(w)) ? words : null;
}

const MINUTE_NS = 60_000_000_000n;

/**
 * The appender's side: `countLine` for every stored line, `flush` at the end of the batch
 * (inside the same transaction: counts, dirty minutes and new words commit with the lines).
 */
export function createTermCounter(db: Db, slotsPerMs: number) {
  ensureLogTermTables(db);
  const loadTerms = db.prepare(`SELECT id, term FROM log_term`);
  const countTerms = db.prepare(`SELECT count(*) FROM log_term`).pluck();
  const addCount = db.prepare(`INSERT INTO log_term_minute (term_id, minute, severity_range, count) VALUES (?, ?, ?, ?)
    ON CONFLICT (term_id, minute, severity_range) DO UPDATE SET count = count + excluded.count`);
  const addDirty = db.prepare(`INSERT OR IGNORE INTO log_term_dirty (minute) VALUES (?)`);
  const addTerm = db.prepare(`INSERT OR IGNORE INTO log_term (term, since_minute) VALUES (?, ?)`);
  const maxId = db.prepare(`SELECT max(id) FROM logs`).pluck().safeIntegers(true);
  const maxTime = db.prepare(`SELECT max(time_ns) FROM logs`).pluck().safeIntegers(true);

  /** Tracked words: id and the last line that counted it (a line counts a word once). */
  let tracked = new Map<string, { id: number; line: number }>();
  const candidates = new Map<string, number>();
  let candidateLines = 0;
  let sampledLines = 0;
  let rng = 1;
  let lineNo = 0;
  // Keyed by minute × 8192 + word id × 8 + range (ids below MAX_TERMS < 1024, ranges 0..6).
  const counts = new Map<number, number>();
  const dirty = new Set<number>();

  // Reloaded when the table and the map disagree (a rolled-back batch took its new words back).
  const sync = () => {
    if ((countTerms.get() as number) === tracked.size) return;
    tracked = new Map((loadTerms.all() as { id: number; term: string }[]).map((r) => [r.term, { id: r.id, line: -1 }]));
  };
  sync();

  function countLine(text: string, timeNs: bigint, range: number): void {
    const minute = Number(timeNs / MINUTE_NS);
    const line = ++lineNo;
    // Words to track are looked for on 1 line in 8 (much of this counter's cost).
    // (Pseudo-random lines, not every 8th: periodic logs would alias with a fixed stride.)
    rng = (Math.imul(rng, 1664525) + 1013904223) | 0;
    const sampled = rng >>> 29 === 0;
    const base = minute * 8192 + range;
    const ascii = eachAsciiWord(text, (w) => {
      const t = tracked.get(w);
      if (t !== undefined) {
        if (t.line === line) return;
        t.line = line;
        const key = base + t.id * 8;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      } else if (sampled && w.length <= MAX_TERM_LENGTH) {
        // Occurrences, not lines: enough to tell a frequent word.
        const n = candidates.get(w);
        if (n !== undefined) candidates.set(w, n + 1);
        else if (candidates.size < MAX_CANDIDATES) candidates.set(w, 1);
      }
    });
    if (ascii) {
      candidateLines++;
      if (sampled) sampledLines++;
    } else dirty.add(minute);
  }

  /** The first minute after every stored line (ids lie at or above their time: logs-ids.ts). */
  function nextMinute(): bigint {
    const id = (maxId.get() as bigint | null) ?? 0n;
    const t = (maxTime.get() as bigint | null) ?? 0n;
    const byId = (id / BigInt(slotsPerMs)) * 1_000_000n;
    return (byId > t ? byId : t) / MINUTE_NS + 1n;
  }

  function promote(): void {
    const threshold = sampledLines / 100;
    const words = [...candidates].filter(([, n]) => n >= threshold).sort((a, b) => b[1] - a[1]);
    candidates.clear();
    candidateLines = 0;
    sampledLines = 0;
    if (words.length === 0 || tracked.size >= MAX_TERMS) return;
    const since = nextMinute();
    for (const [w] of words.slice(0, MAX_TERMS - tracked.size)) {
      const info = addTerm.run(w, since);
      if (info.changes > 0) tracked.set(w, { id: Number(info.lastInsertRowid), line: -1 });
    }
  }

  function flush(): void {
    for (const [key, n] of counts) {
      const minute = Math.floor(key / 8192);
      const rest = key - minute * 8192;
      addCount.run(rest >> 3, minute, rest & 7, n);
    }
    counts.clear();
    for (const minute of dirty) addDirty.run(minute);
    dirty.clear();
    if (candidateLines >= PROMOTE_EVERY) promote();
  }

  /** Called at the start of a batch: drops what a failed batch left and re-reads the words. */
  function begin(): void {
    counts.clear();
    dirty.clear();
    sync();
  }

  return { begin, countLine, flush };
}
