import "server-only";
import type { Db } from "./open";
import { parseTextQuery, plainPrefixToken, quoteFts, termExpression, type TextTerm } from "./logs-text-query";
import { hasLegacyLogIds, LEGACY_ID_LIMIT, logIdRange, readOvershoot } from "./logs-ids";
import { hashText } from "./logs-append";
import { MAX_TAG_SEVERITY, readTextIndexes, serviceTag, severityTag, TEXT_TABLE } from "./logs-text-index";
import { expandPrefix } from "./logs-prefix";
import type { LogFilter } from "../telemetry-store";

/** A filter's conditions on `logs l` without its text, and the text as an FTS5 expression. */
export interface CompiledFilter {
  where: string[];
  args: unknown[];
  joinResource: boolean;
  /** undefined: no text filter; empty: a text with nothing to search for (matches nothing). */
  terms: TextTerm[] | undefined;
  service: string | undefined;
  minSeverity: number | undefined;
  /** Prefix expansions already looked up for this filter (one request asks the index once per prefix). */
  prefixes: Map<string, string[] | null>;
}

/** One place to read matching rows from: `FROM ${from} WHERE ${where}`, `l` being the log row. */
export interface LogSource {
  from: string;
  where: string[];
  args: unknown[];
  /** Set on the text index in id order: rows come newest id first with this ORDER BY. */
  orderById?: string;
}

const jsonPath = (key: string) => `$."${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

export function compileFilter(f: LogFilter): CompiledFilter {
  const where = ["l.time_ns >= ?", "l.time_ns < ?"];
  const args: unknown[] = [f.fromNs, f.toNs];
  let joinResource = false;
  if (f.service) {
    where.push("l.service = ?");
    args.push(f.service);
  }
  if (f.minSeverity !== undefined && f.minSeverity > 0) {
    where.push("l.severity >= ?");
    args.push(f.minSeverity);
  }
  if (f.traceId) {
    where.push("l.trace_id = ?");
    args.push(f.traceId.toLowerCase());
  }
  if (f.spanId) {
    where.push("l.span_id = ?");
    args.push(f.spanId.toLowerCase());
  }
  for (const a of f.attributes ?? []) {
    joinResource = true;
    where.push(
      `coalesce(CAST(json_extract(l.attributes, ?) AS TEXT), CAST(json_extract(r.attributes, ?) AS TEXT)) = ?`,
    );
    args.push(jsonPath(a.key), jsonPath(a.key), a.value);
  }
  return {
    where,
    args,
    joinResource,
    terms: f.text === undefined ? undefined : parseTextQuery(f.text),
    service: f.service || undefined,
    minSeverity: f.minSeverity !== undefined && f.minSeverity > 0 ? f.minSeverity : undefined,
    prefixes: new Map(),
  };
}

/** The severity tags of every number from `min` up (n24 stands for 24 and above). */
export function severityTagsFrom(min: number, max = MAX_TAG_SEVERITY): string[] {
  const tags: string[] = [];
  for (let n = Math.max(0, Math.min(min, MAX_TAG_SEVERITY)); n <= max; n++) tags.push(severityTag(n));
  return tags;
}

/** The index words a prefix stands for (null: too many), looked up once per compiled filter. */
export function prefixTerms(db: Db, c: CompiledFilter, token: string): string[] | null {
  let terms = c.prefixes.get(token);
  if (terms === undefined) {
    terms = expandPrefix(db, token);
    c.prefixes.set(token, terms);
  }
  return terms;
}

/**
 * The filter as one query on the current text index (logs_text): the terms on `body` (a
 * plain prefix expanded to its terms: logs-prefix.ts), the service and severity as `tags`.
 * `extraTags` narrows further (a severity range, for counting). null: nothing can match.
 * Tags only narrow (a service tag is a hash): rows are re-checked unless the caller proved
 * the tags exact.
 */
export function currentIndexMatch(db: Db, c: CompiledFilter, extraTags?: string[]): string | null {
  const parts: string[] = [];
  for (const t of c.terms ?? []) {
    const token = plainPrefixToken(t);
    const expanded = token === null ? null : prefixTerms(db, c, token);
    if (expanded && expanded.length === 0) return null;
    parts.push(expanded ? `(${expanded.map(quoteFts).join(" OR ")})` : termExpression(t));
  }
  const clauses = parts.length ? [`body : (${parts.join(" AND ")})`] : [];
  if (c.service) clauses.push(`tags : ${quoteFts(serviceTag(c.service, hashText))}`);
  if (c.minSeverity !== undefined) clauses.push(`tags : (${severityTagsFrom(c.minSeverity).join(" OR ")})`);
  if (extraTags) clauses.push(`tags : (${extraTags.join(" OR ")})`);
  if (clauses.length === 0) clauses.push(`tags : (${severityTagsFrom(0).join(" OR ")})`);
  return clauses.join(" AND ");
}

const oldIndexMatch = (terms: TextTerm[]) => terms.map(termExpression).join(" AND ");

const RESOURCE_JOIN = ` LEFT JOIN resources r ON r.id = l.resource_id`;

/**
 * Where a compiled filter's rows are, for a window [fromNs, toNs) (toNs may be below the
 * filter's own end: a page cursor). Without text: the log rows. With text: the current text
 * index over the window's id range joined to the rows (logs-ids.ts), the old index over the
 * part of that range it covers (logs-text-index.ts), and, while lines numbered by arrival
 * remain (a database from before time-ordered ids), those lines through the time index's
 * id range.
 */
export function sourcesOf(
  db: Db,
  c: CompiledFilter,
  fromNs: bigint,
  toNs: bigint,
  after?: { timeNs: bigint; id: number },
): LogSource[] {
  const join = c.joinResource ? RESOURCE_JOIN : "";
  if (c.terms === undefined) return [{ from: `logs l${join}`, where: c.where, args: c.args }];
  if (c.terms.length === 0 || toNs <= fromNs) return [];
  const overshoot = readOvershoot(db);
  const range = logIdRange(fromNs, toNs, overshoot);
  const lo = range.lo;
  let hi = range.hi;
  // After a page's last line (time t, id i): lines at t have smaller ids, earlier lines ids
  // below t's range; deep pages into a burst with one timestamp stay cheap.
  if (after && after.timeNs > fromNs && after.id >= LEGACY_ID_LIMIT) {
    hi = Math.min(hi, Math.max(after.id - 1, logIdRange(fromNs, after.timeNs, overshoot).hi));
  }
  const indexes = readTextIndexes(db);
  const sources: LogSource[] = [];
  const match = indexes.current ? currentIndexMatch(db, c) : null;
  if (match !== null) {
    sources.push({
      from: `${TEXT_TABLE} CROSS JOIN logs l ON l.id = ${TEXT_TABLE}.rowid${join}`,
      where: [`${TEXT_TABLE} MATCH ?`, `${TEXT_TABLE}.rowid BETWEEN ? AND ?`, ...c.where],
      args: [match, BigInt(lo), BigInt(hi), ...c.args],
      orderById: `${TEXT_TABLE}.rowid DESC`,
    });
  }
  const old = indexes.old;
  if (!old) return sources;
  const oldMatch = oldIndexMatch(c.terms);
  const oldLo = Math.max(lo, old.lo);
  const oldHi = Math.min(hi, old.hi);
  if (oldLo <= oldHi) {
    sources.push({
      from: `logs_fts CROSS JOIN logs l ON l.id = logs_fts.rowid${join}`,
      where: ["logs_fts MATCH ?", "logs_fts.rowid BETWEEN ? AND ?", ...c.where],
      args: [oldMatch, BigInt(oldLo), BigInt(oldHi), ...c.args],
      orderById: "logs_fts.rowid DESC",
    });
  }
  if (hasLegacyLogIds(db)) {
    const range = db
      .prepare(
        `SELECT min(id) AS lo, max(id) AS hi FROM logs INDEXED BY logs_time_fp WHERE time_ns >= ? AND time_ns < ? AND id < ?`,
      )
      .get(fromNs, toNs, LEGACY_ID_LIMIT) as { lo: number | null; hi: number | null };
    if (range.lo !== null && range.hi !== null) {
      sources.push({
        from: `logs l${join}`,
        where: [...c.where, `l.id IN (SELECT rowid FROM logs_fts WHERE logs_fts MATCH ? AND rowid BETWEEN ? AND ?)`],
        args: [...c.args, oldMatch, range.lo, range.hi],
      });
    }
  }
  return sources;
}
