import "server-only";
import type { Span } from "../../normalize";
import type { StoredTraceSummary, TraceQuery } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { fromSpanRow, type SpanRow } from "./span-rows";
import { SPAN_COLUMNS } from "./span-io";
import { sqlInt, sqlString, sqlStringList } from "./sql";

const NS_PER_MINUTE = 60_000_000_000n;

function minuteBounds(fromNs: bigint, toNs: bigint): string {
  return `minute >= ${sqlInt(fromNs / NS_PER_MINUTE)} AND minute <= ${sqlInt((toNs - 1n) / NS_PER_MINUTE)} AND start_ns >= ${sqlInt(fromNs)} AND start_ns < ${sqlInt(toNs)}`;
}

/** The earliest `limit` spans that started in [fromMs, toMs). */
export async function readSpansInWindow(
  conn: Connection,
  fromMs: number,
  toMs: number,
  limit: number,
): Promise<Span[]> {
  const rows = await queryRows<SpanRow>(
    conn.main,
    `SELECT ${SPAN_COLUMNS} FROM ${conn.settings.database}.spans WHERE ${minuteBounds(BigInt(fromMs) * 1_000_000n, BigInt(toMs) * 1_000_000n)}
      ORDER BY start_ns, trace_id, span_id LIMIT ${sqlInt(limit)}`,
  );
  return rows.map(fromSpanRow);
}

/**
 * Trace search: traces with a span matching every filter in the window, newest first, then
 * their summaries over all their spans. Attribute filters match string attributes of the span
 * or its resource exactly (`"key":"value"` in the stored JSON).
 */
export async function searchTraces(conn: Connection, q: TraceQuery): Promise<StoredTraceSummary[]> {
  const db = conn.settings.database;
  const where = [minuteBounds(q.fromNs, q.toNs)];
  if (q.service !== undefined) where.push(`service = ${sqlString(q.service)}`);
  if (q.operation !== undefined) where.push(`name = ${sqlString(q.operation)}`);
  if (q.status === "error") where.push("status_code = 2");
  if (q.status === "ok") where.push("status_code != 2");
  if (q.kind !== undefined) where.push(`kind = ${sqlInt(q.kind)}`);
  if (q.minDurationNs !== undefined) where.push(`end_ns - start_ns >= ${sqlInt(q.minDurationNs)}`);
  if (q.maxDurationNs !== undefined) where.push(`end_ns - start_ns <= ${sqlInt(q.maxDurationNs)}`);
  for (const a of q.attrs ?? []) {
    const needle = sqlString(`${JSON.stringify(a.key)}:${JSON.stringify(a.value)}`);
    where.push(`(position(attributes, ${needle}) > 0 OR position(resource, ${needle}) > 0)`);
  }
  const hits = await queryRows<{ trace_id: string }>(
    conn.main,
    `SELECT trace_id, max(start_ns) AS latest FROM ${db}.spans WHERE ${where.join(" AND ")} GROUP BY trace_id ORDER BY latest DESC LIMIT ${sqlInt(q.limit)}`,
  );
  if (hits.length === 0) return [];
  const ids = hits.map((h) => h.trace_id);
  const rows = await queryRows<Record<string, unknown>>(
    conn.main,
    `SELECT trace_id, toString(min(start_ns)) AS s, toString(max(end_ns)) AS e, count() AS n, countIf(status_code = 2) AS errs,
        groupUniqArray(service) AS services, argMin(service, if(parent_span_id = '', 0, 1) * 1e19 + start_ns) AS root_service,
        argMin(name, if(parent_span_id = '', 0, 1) * 1e19 + start_ns) AS root_name, countIf(parent_span_id = '') AS roots
      FROM ${db}.spans WHERE minute >= ${sqlInt((q.fromNs - 3_600_000_000_000n) / NS_PER_MINUTE)} AND minute <= ${sqlInt((q.toNs + 3_600_000_000_000n) / NS_PER_MINUTE)}
        AND trace_id IN ${sqlStringList(ids)} GROUP BY trace_id`,
  );
  const byId = new Map(rows.map((r) => [String(r.trace_id), r]));
  const out: StoredTraceSummary[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (!r) continue;
    const s = BigInt(String(r.s)),
      e = BigInt(String(r.e));
    const hasRoot = Number(r.roots) > 0;
    out.push({
      traceId: id,
      rootService: hasRoot ? String(r.root_service) : null,
      rootOperation: hasRoot ? String(r.root_name) : null,
      startTime: Number(s / 1_000_000n),
      durationMs: Number(e - s) / 1e6,
      spanCount: Number(r.n),
      errorCount: Number(r.errs),
      services: (r.services as string[]).slice().sort(),
    });
  }
  return out;
}
