import "server-only";

/**
 * Free text → an FTS5 MATCH expression, or null when the text has nothing to search for.
 * Every term must occur (AND). A term matches a whole token, case- and accent-insensitively;
 * `"two words"` is a phrase; a trailing `*` makes a prefix (`time*` finds timeout). Anything
 * else a user types is data, never FTS5 syntax: every term is quoted.
 */
export function toFtsQuery(text: string): string | null {
  const parts: string[] = [];
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
    parts.push(`"${term.replace(/"/g, '""')}"${prefix ? " *" : ""}`);
  }
  return parts.length ? parts.join(" AND ") : null;
}
