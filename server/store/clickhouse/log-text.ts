import "server-only";
import { sqlString } from "./sql";

/**
 * Free-text search over log bodies without a text index. ClickHouse 18.16 has no data-skipping
 * (token bloom filter) indexes, so the store keeps, per line, `words`: the body's tokens as the
 * embedded store's full-text index sees them (runs of letters and digits, lower-cased, accents
 * removed), joined by single spaces with a space at each end. A whole token is then a substring
 * ` token `, a phrase ` two words `, a prefix ` time`: plain `position()` tests that every release
 * runs, scanning only the window's day partitions. The query syntax is the embedded store's
 * (logs-text-query.ts): every term must occur; `"two words"` is a phrase; a trailing `*` a prefix.
 */
export function wordsOf(text: string): string {
  const tokens = normalizeText(text)
    .split(/[^\p{L}\p{N}\p{Co}]+/u)
    .filter(Boolean);
  return tokens.length ? ` ${tokens.join(" ")} ` : " ";
}

function normalizeText(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
}

/** The terms of a free-text query, each a token sequence; null when nothing is searchable. */
export function parseTextQuery(text: string): { words: string; prefix: boolean }[] | null {
  const terms: { words: string; prefix: boolean }[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const phrase = m[1] !== undefined;
    let term = (m[1] ?? m[2] ?? "").trim();
    let prefix = false;
    if (!phrase && term.endsWith("*")) {
      term = term.replace(/\*+$/, "");
      prefix = true;
    }
    const words = wordsOf(term).trim();
    if (!words) continue;
    terms.push({ words, prefix });
  }
  return terms.length ? terms : null;
}

/** The SQL condition on `words` for a free-text query, or null when it has nothing to search for. */
export function textConditionSql(text: string): string | null {
  const terms = parseTextQuery(text);
  if (!terms) return null;
  return terms.map((t) => `position(words, ${sqlString(` ${t.words}${t.prefix ? "" : " "}`)}) > 0`).join(" AND ");
}
