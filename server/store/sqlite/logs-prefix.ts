import "server-only";
import type { Db } from "./open";
import { VOCAB_TABLE } from "./logs-text-index";

/** A prefix standing for more index terms than this is left to FTS5's own prefix query. */
export const MAX_PREFIX_TERMS = 64;

/**
 * The index terms starting with `token` (a plain lower-case ASCII token), at most `max`; null
 * when there are more. FTS5 answers a prefix query by merging the whole posting list of every
 * term with that prefix before any rowid bound applies, which costs as much as all stored lines
 * hold of those terms; an OR of the terms themselves seeks each list to the window instead.
 * The vocabulary table (one row per occurrence) is stepped term by term with a bounded lookup
 * each (`>= previous term + \x01`: tokens hold no control characters), so listing the terms
 * costs a seek per term, not a read of their posting lists.
 */
export function expandPrefix(db: Db, token: string, max = MAX_PREFIX_TERMS): string[] | null {
  const upper = token.slice(0, -1) + String.fromCharCode(token.charCodeAt(token.length - 1) + 1);
  const next = db.prepare(`SELECT term FROM ${VOCAB_TABLE} WHERE term >= ? AND term < ? LIMIT 1`).pluck();
  const terms: string[] = [];
  let from = token;
  for (;;) {
    const term = next.get(from, upper) as string | undefined;
    if (term === undefined) return terms;
    if (terms.length >= max) return null;
    terms.push(term);
    from = `${term}\u0001`;
  }
}
