import "server-only";

/** One searched term: a word, a `"phrase"`, or a word with a trailing `*` (a prefix). */
export interface TextTerm {
  text: string;
  phrase: boolean;
  prefix: boolean;
}

/**
 * Free text → terms; none when the text has nothing to search for. Every term must occur
 * (AND). A term matches a whole token, case- and accent-insensitively; `"two words"` is a
 * phrase; a trailing `*` makes a prefix (`time*` finds timeout). Anything else a user types
 * is data, never FTS5 syntax: every term is quoted when it becomes an expression.
 */
export function parseTextQuery(text: string): TextTerm[] {
  const terms: TextTerm[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const phrase = m[1] !== undefined;
    let term = (m[1] ?? m[2] ?? "").trim();
    let prefix = false;
    if (!phrase && term.endsWith("*")) {
      term = term.replace(/\*+$/, "");
      prefix = true;
    }
    if (!/[\p{L}\p{N}]/u.test(term)) continue;
    terms.push({ text: term, phrase, prefix });
  }
  return terms;
}

export const quoteFts = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The FTS5 expression of one term (a prefix as FTS5's own `"p" *`). */
export function termExpression(t: TextTerm): string {
  return `${quoteFts(t.text)}${t.prefix ? " *" : ""}`;
}

/** Terms ANDed as one FTS5 expression, or null when there is nothing to search for. */
export function toFtsQuery(text: string): string | null {
  const terms = parseTextQuery(text);
  return terms.length ? terms.map(termExpression).join(" AND ") : null;
}

/**
 * The token a prefix term stands for in the index, when the tokenizer provably folds it to
 * its lower case (ASCII letters and digits only); null otherwise (the prefix is then left to
 * FTS5 as typed).
 */
export function plainPrefixToken(t: TextTerm): string | null {
  return t.prefix && /^[A-Za-z0-9]+$/.test(t.text) ? t.text.toLowerCase() : null;
}
