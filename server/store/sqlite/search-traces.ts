import "server-only";
import type { Db } from "./open";
import { bloomHas, hashTerm, TermKind } from "./bloom";
import { spanReaderFor } from "./read-spans";
import { compileBlockMatcher, valueMatches, type ResourceVerdicts, type SpanFilter } from "./block-match";
import { findPosting } from "./span-block-postings";
import { readVarints } from "./trace-summary";
import { selectGroups } from "./span-block-groups";
import type { TraceQuery, StoredTraceSummary } from "../telemetry-store";

export type { TraceQuery, StoredTraceSummary } from "../telemetry-store";

interface Row {
  id: bigint;
  trace_id: Buffer;
  start_ns: bigint;
  duration_ns: bigint;
  spans: bigint;
  errors: bigint;
  root_resource: bigint | null;
  root_name: string | null;
  resources: Buffer;
}

const COLUMNS = `id, trace_id, start_ns, duration_ns, spans, errors, root_resource, root_name, resources`;

/**
 * Trace search, newest traces first. A trace is in the window when it starts in it, and its
 * duration (first span start → last span end) is what the duration bounds filter.
 * service / operation / kind / attrs (`key=value` on span or resource attributes; booleans
 * match `true`/`false` in any case) match spans: one span must match all of them, and with
 * any of them `status` applies to that span too;
 * alone, `status=error` means the trace holds an error span, `ok` that it holds none.
 *
 * Without span filters the summary index (start, duration, errors) answers directly. With
 * them, block groups and then their blocks are read newest first, skipped when their Bloom
 * filter rules a term out; the scan stops once `limit` traces are held and no later group or
 * block can hold a newer one. A lone `attr` filter that no resource meets reads a block's
 * rare-term postings first: a listed term names its traces without decoding the block.
 */
export function searchTraceSummaries(db: Db, q: TraceQuery): StoredTraceSummary[] {
  const reader = spanReaderFor(db);
  const toSummary = (r: Row): StoredTraceSummary => {
    const names = new Set<string>();
    for (const id of readVarints(r.resources)) names.add(reader.resource(id).service);
    return {
      traceId: r.trace_id.toString("hex"),
      rootService: r.root_resource === null ? null : reader.resource(Number(r.root_resource)).service,
      rootOperation: r.root_name,
      startTime: Number(r.start_ns / 1_000_000n),
      durationMs: Number(r.duration_ns) / 1e6,
      spanCount: Number(r.spans),
      errorCount: Number(r.errors),
      services: [...names].sort(),
    };
  };
  const where = ["start_ns >= ?", "start_ns < ?"];
  const args: unknown[] = [q.fromNs, q.toNs];
  if (q.minDurationNs !== undefined) {
    where.push("duration_ns >= ?");
    args.push(q.minDurationNs);
  }
  if (q.maxDurationNs !== undefined) {
    where.push("duration_ns <= ?");
    args.push(q.maxDurationNs);
  }
  const attrs = q.attrs ?? [];
  const spanLevel =
    q.service !== undefined ||
    q.operation !== undefined ||
    q.kind !== undefined ||
    attrs.length > 0 ||
    q.environment !== undefined;
  if (!spanLevel) {
    if (q.status === "error") where.push("errors > 0");
    if (q.status === "ok") where.push("errors = 0");
    const rows = db
      .prepare(
        `SELECT ${COLUMNS} FROM traces INDEXED BY traces_start WHERE ${where.join(" AND ")} ORDER BY start_ns DESC LIMIT ?`,
      )
      .safeIntegers(true)
      .all(...args, q.limit) as Row[];
    return rows.map(toSummary);
  }

  // Each entry: any of its hashes may be in the block (a boolean is indexed in lower case).
  const terms: number[][] = [];
  if (q.service !== undefined) terms.push([hashTerm(TermKind.service, q.service)]);
  if (q.operation !== undefined) terms.push([hashTerm(TermKind.operation, q.operation)]);
  for (const a of attrs)
    terms.push([
      hashTerm(TermKind.attribute, a.key, a.value),
      hashTerm(TermKind.attribute, a.key, a.value.toLowerCase()),
    ]);
  // A resource names its environment under either convention generation.
  if (typeof q.environment === "string") {
    terms.push([
      hashTerm(TermKind.attribute, "deployment.environment.name", q.environment),
      hashTerm(TermKind.attribute, "deployment.environment", q.environment),
    ]);
  }
  const filter: SpanFilter = {
    operation: q.operation,
    kind: q.kind,
    status: q.status,
    service: q.service,
    environment: q.environment,
    attrs,
  };
  const verdicts: ResourceVerdicts = new Map();

  const posting = postingTermOf(db, q, reader.resource);
  const passes = (bloom: Buffer) => terms.every((alts) => alts.some((t) => bloomHas(bloom, t)));
  const blocksOf = db
    .prepare(
      `SELECT id, max_start_ns AS max, bloom, postings FROM span_blocks
       WHERE id BETWEEN ? AND ? AND max_start_ns >= ? AND min_start_ns < ? ORDER BY max_start_ns DESC`,
    )
    .safeIntegers(true);
  const summaryOf = db
    .prepare(`SELECT ${COLUMNS} FROM traces WHERE id = ? AND ${where.join(" AND ")}`)
    .safeIntegers(true);
  const seen = new Set<number>();
  const found: Row[] = [];
  /** The start a newer trace must beat once `limit` are held (null until then). */
  const bar = (): bigint | null => {
    if (found.length < q.limit) return null;
    found.sort(newestFirst);
    found.length = q.limit;
    return found[q.limit - 1]!.start_ns;
  };
  // Groups newest first; a group (or block) whose newest span is older than the bar cannot
  // hold a newer trace: a trace starts no later than any of its spans.
  for (const g of selectGroups(db, q.fromNs, q.toNs)) {
    const b0 = bar();
    if (b0 !== null && g.max < b0) break;
    if (g.bloom !== null && !passes(g.bloom)) continue;
    const blocks = blocksOf.all(g.id, g.last, q.fromNs, q.toNs) as BlockRow[];
    for (const blk of blocks) {
      const b1 = bar();
      if (b1 !== null && blk.max < b1) break;
      if (!passes(blk.bloom)) continue;
      const listed = posting && blk.postings ? findPosting(blk.postings, posting.key, posting.value) : null;
      if (listed) takeTraces(listed);
      else scanBlock(Number(blk.id));
    }
  }

  function takeTraces(keys: readonly number[]): void {
    for (const key of keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const row = summaryOf.get(key, ...args) as Row | undefined;
      if (row) found.push(row);
    }
  }

  function scanBlock(id: number): void {
    const b = reader.block(id);
    if (!b) return;
    const m = compileBlockMatcher(b, filter, reader.resource, verdicts);
    if (!m.possible) return;
    for (const sec of b.sections) {
      if (seen.has(sec.traceKey) || !m.sectionMatches(sec)) continue;
      seen.add(sec.traceKey);
      const row = summaryOf.get(sec.traceKey, ...args) as Row | undefined;
      if (row) found.push(row);
    }
  }
  found.sort(newestFirst);
  return found.slice(0, q.limit).map(toSummary);
}

interface BlockRow {
  id: bigint;
  max: bigint;
  bloom: Buffer;
  postings: Buffer | null;
}

/**
 * The term whose postings answer the query alone: one `attr` filter and no other span filter
 * (those need the span itself), not a boolean (postings leave booleans out), and met by no
 * stored resource (postings cover span attributes only). Null otherwise.
 */
function postingTermOf(
  db: Db,
  q: TraceQuery,
  resource: (id: number) => { attributes: Record<string, unknown> },
): { key: string; value: Buffer } | null {
  const attrs = q.attrs ?? [];
  if (attrs.length !== 1 || q.service !== undefined || q.operation !== undefined) return null;
  if (q.kind !== undefined || q.status !== undefined || q.environment !== undefined) return null;
  const { key, value } = attrs[0]!;
  const lower = value.toLowerCase();
  if (lower === "true" || lower === "false") return null;
  // Only resources whose JSON names the key can carry it (a stray match is checked below).
  const ids = db
    .prepare(`SELECT id FROM resources WHERE instr(attributes, ?) > 0`)
    .pluck()
    .all(`${JSON.stringify(key)}:`) as number[];
  if (ids.some((id) => valueMatches(resource(id).attributes[key], value))) return null;
  return { key, value: Buffer.from(value, "utf8") };
}

function newestFirst(a: Row, b: Row): number {
  return a.start_ns > b.start_ns ? -1 : a.start_ns < b.start_ns ? 1 : 0;
}
