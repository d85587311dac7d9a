import "server-only";
import type { Span } from "../../normalize";
import { queryRows, type Connection } from "./connection";
import { fromSpanRow, toSpanRow, traceIndexRows, type SpanRow } from "./span-rows";
import { sqlInt, sqlStringList } from "./sql";

/**
 * Appends spans: one INSERT per table per batch, awaited. The promise resolves only after
 * ClickHouse accepted the rows (with a cluster, after the Distributed table forwarded them,
 * insert_distributed_sync), so the ingest path acknowledges only committed spans. Spans are
 * inserted before the trace index (and the arrival rows ClickHouse derives from it), so an
 * indexed trace always has its spans.
 * With `stamp`, each row carries the writer's flush epoch it joins (rollup-epochs.ts).
 */
export async function appendNewSpans(
  conn: Connection,
  spans: readonly Span[],
  stamp?: (minMinute: number, maxMinute: number) => Promise<{ writer: string; epoch: number }>,
): Promise<Span[]> {
  const fresh = await dropStored(conn, spans);
  if (fresh.length === 0) return fresh;
  const rows: SpanRow[] = fresh.map(toSpanRow);
  if (stamp) {
    // The writer's flush epoch (rollup-epochs.ts), recorded before any of its spans is stored.
    let lo = rows[0]!.minute;
    let hi = lo;
    for (const r of rows) {
      if (r.minute < lo) lo = r.minute;
      else if (r.minute > hi) hi = r.minute;
    }
    const by = await stamp(lo, hi);
    for (const r of rows) {
      r.writer = by.writer;
      r.writer_epoch = by.epoch;
    }
  }
  const db = conn.settings.database;
  await conn.main.insert({ table: `${db}.spans`, values: rows, format: "JSONEachRow" });
  // Its arrival rows (late-arrivals.ts) are written by ClickHouse from these (schema.ts, arrivalsView).
  await conn.main.insert({ table: `${db}.trace_index`, values: traceIndexRows(rows), format: "JSONEachRow" });
  return fresh;
}

/**
 * Leaves out spans already stored (an exporter's retry of an acknowledged batch) and repeats
 * within the batch, so aggregations count each span once. Two instances receiving the same
 * replay at the same instant may both store it; span reads drop such duplicates.
 */
async function dropStored(conn: Connection, spans: readonly Span[]): Promise<Span[]> {
  const seen = new Set<string>();
  const unique: Span[] = [];
  for (const s of spans) {
    const k = `${s.traceId}:${s.spanId}`;
    if (!seen.has(k)) {
      seen.add(k);
      unique.push(s);
    }
  }
  if (unique.length === 0) return unique;
  const traceIds = [...new Set(unique.map((s) => s.traceId))];
  const db = conn.settings.database;
  // Two plain queries (18.16 has no two-argument range()): the minutes these traces span, then their ids.
  const [range] = await queryRows<{ lo: number | string; hi: number | string; n: number | string }>(
    conn.main,
    `SELECT min(min_minute) AS lo, max(max_minute) AS hi, count() AS n FROM ${db}.trace_index WHERE trace_id IN ${sqlStringList(traceIds)}`,
  );
  if (!range || Number(range.n) === 0) return unique;
  const known = await queryRows<{ trace_id: string; span_id: string }>(
    conn.main,
    `SELECT trace_id, span_id FROM ${db}.spans WHERE minute >= ${sqlInt(Number(range.lo))} AND minute <= ${sqlInt(Number(range.hi))}
      AND trace_id IN ${sqlStringList(traceIds)}`,
  );
  if (known.length === 0) return unique;
  const stored = new Set(known.map((r) => `${r.trace_id}:${r.span_id}`));
  return unique.filter((s) => !stored.has(`${s.traceId}:${s.spanId}`));
}

/**
 * Read columns of a span. UInt64 times come back as JSON strings (ClickHouse quotes 64-bit
 * integers in JSON by default), so no precision is lost; no alias may shadow a column here, as
 * ClickHouse resolves WHERE and ORDER BY names to aliases first (a `toString(start_ns) AS
 * start_ns` made every time filter compare text with numbers).
 */
export const SPAN_COLUMNS =
  "trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, status_code, status_message, service, namespace, environment, attributes, resource, events, links, scope_name, scope_version";

/** Drops duplicate (trace, span) rows, which replays of one export produce (keeps the first). */
export function uniqueSpans(rows: readonly SpanRow[]): Span[] {
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const r of rows) {
    const k = `${r.trace_id}:${r.span_id}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(fromSpanRow(r));
  }
  return out;
}

/** Every stored span of one trace, in start order ([] when unknown). */
export async function readTraceSpans(conn: Connection, traceId: string): Promise<Span[]> {
  return (await readTracesSpans(conn, [traceId])).get(traceId) ?? [];
}

/** Spans of several traces, located through the trace index so only their minutes are scanned. */
export async function readTracesSpans(conn: Connection, traceIds: readonly string[]): Promise<Map<string, Span[]>> {
  const out = new Map<string, Span[]>();
  if (traceIds.length === 0) return out;
  const db = conn.settings.database;
  const [range] = await queryRows<{ lo: number | string; hi: number | string; n: number | string }>(
    conn.main,
    `SELECT min(min_minute) AS lo, max(max_minute) AS hi, count() AS n FROM ${db}.trace_index WHERE trace_id IN ${sqlStringList(traceIds)}`,
  );
  if (!range || Number(range.n) === 0) return out;
  const rows = await queryRows<SpanRow>(
    conn.main,
    `SELECT ${SPAN_COLUMNS} FROM ${db}.spans WHERE minute >= ${sqlInt(Number(range.lo))} AND minute <= ${sqlInt(Number(range.hi))}
      AND trace_id IN ${sqlStringList(traceIds)} ORDER BY trace_id, start_ns, span_id`,
  );
  for (const s of uniqueSpans(rows)) {
    let list = out.get(s.traceId);
    if (!list) out.set(s.traceId, (list = []));
    list.push(s);
  }
  return out;
}

/** Trace ids with at least one span starting in [fromMs, toMs). */
export async function listTraceIdsInWindow(conn: Connection, fromMs: number, toMs: number): Promise<string[]> {
  const db = conn.settings.database;
  const rows = await queryRows<{ trace_id: string }>(
    conn.main,
    `SELECT DISTINCT trace_id FROM ${db}.spans WHERE minute >= ${sqlInt(Math.floor(fromMs / 60_000))} AND minute <= ${sqlInt(Math.floor((toMs - 1) / 60_000))}
      AND start_ns >= ${sqlInt(BigInt(fromMs) * 1_000_000n)} AND start_ns < ${sqlInt(BigInt(toMs) * 1_000_000n)}`,
  );
  return rows.map((r) => r.trace_id);
}

/** Stored span count (benchmarks, status). */
export async function countStoredSpans(conn: Connection): Promise<number> {
  const [r] = await queryRows<{ n: string | number }>(
    conn.main,
    `SELECT count() AS n FROM ${conn.settings.database}.spans`,
  );
  return Number(r?.n ?? 0);
}

/** Start of the minute of the earliest stored span (epoch ms), null when none is stored. */
export async function readFirstSpanMs(conn: Connection): Promise<number | null> {
  const [r] = await queryRows<{ m: string | number; n: string | number }>(
    conn.main,
    `SELECT min(minute) AS m, count() AS n FROM ${conn.settings.database}.spans`,
  );
  return r && Number(r.n) > 0 ? Number(r.m) * 60_000 : null;
}
