import "server-only";

/** A table a statement touches and whether it writes it. */
export interface TableOp {
  table: string;
  write: boolean;
  ddl: boolean;
}

const WRITE_VERBS = new Set([
  "INSERT",
  "UPDATE",
  "DELETE",
  "MERGE",
  "UPSERT",
  "REPLACE",
  "TRUNCATE",
  "ALTER",
  "CREATE",
  "DROP",
]);
const DDL_VERBS = new Set(["ALTER", "CREATE", "DROP", "TRUNCATE"]);
const SUMMARY_VERBS = new Set([
  ...WRITE_VERBS,
  "SELECT",
  "CALL",
  "EXEC",
  "EXECUTE",
  "WITH",
  "GET",
  "SET",
  "FIND",
  "AGGREGATE",
  "COUNT",
]);
const DOC_WRITE =
  /^(insert|update|delete|replace|findandmodify|findoneand|bulkwrite|save|remove|upsert|put|batchwrite|transactwrite)/i;

export function isWriteOperation(op: string | null): boolean {
  if (!op) return false;
  const verb = op.trim().split(/\s+/)[0]!;
  return WRITE_VERBS.has(verb.toUpperCase()) || DOC_WRITE.test(verb);
}

export function isDdlOperation(op: string | null): boolean {
  return !!op && DDL_VERBS.has(op.trim().split(/\s+/)[0]!.toUpperCase());
}

/** Lower-cases and unquotes a table name and drops a schema/database prefix. */
export function normalizeTable(raw: string): string | null {
  const t = raw
    .replace(/[`"[\]]/g, "")
    .replace(/[,;()]+$/g, "")
    .trim()
    .toLowerCase();
  if (!t || t === "?" || /^\$|^:/.test(t) || t === "select" || t === "(") return null;
  const last = t.split(".").pop()!;
  return /^[a-z_][\w$-]*$/.test(last) ? last : null;
}

/** `db.query.summary` such as "INSERT shipments SELECT orders". */
export function tablesFromSummary(summary: string): TableOp[] {
  const out: TableOp[] = [];
  let verb: string | null = null;
  for (const tok of summary.trim().split(/\s+/)) {
    const up = tok.toUpperCase();
    if (SUMMARY_VERBS.has(up)) {
      verb = up;
      continue;
    }
    if (verb === null) continue;
    const table = normalizeTable(tok);
    if (table) out.push({ table, write: WRITE_VERBS.has(verb), ddl: DDL_VERBS.has(verb) });
  }
  return out;
}

/**
 * Best-effort tables of a (sanitised) SQL text: FROM / JOIN / INTO / UPDATE / TABLE targets.
 * The statement verb decides which of them are written. Truncated statements just yield
 * fewer tables, never wrong writes.
 */
export function tablesFromSql(sql: string): TableOp[] {
  const text = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, " ");
  const verbMatch = /^\s*\(?\s*(\w+)/.exec(text);
  const verb = verbMatch ? verbMatch[1]!.toUpperCase() : "";
  const write = WRITE_VERBS.has(verb);
  const ddl = DDL_VERBS.has(verb);
  const out: TableOp[] = [];
  const re = /\b(from|join|into|update|table|using)\s+(?:only\s+|if\s+(?:not\s+)?exists\s+)?([`"[]?[\w$.]+[`"\]]?)/gi;
  let firstFrom = true;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const kw = m[1]!.toLowerCase();
    const table = normalizeTable(m[2]!);
    if (!table) continue;
    let isTarget = kw === "into" || kw === "update" || kw === "table";
    if (kw === "from" && verb === "DELETE" && firstFrom) isTarget = true;
    if (kw === "from") firstFrom = false;
    out.push({ table, write: write && isTarget, ddl: ddl && isTarget });
  }
  return out;
}
