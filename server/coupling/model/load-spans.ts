import "server-only";
import type { Db } from "../../store";
import type { Attributes } from "../../normalize";
import type { CouplingSpan } from "../types";

export interface LoadedSpans {
  spans: CouplingSpan[];
  tracesTotal: number;
  tracesScanned: number;
  sampled: boolean;
}

/**
 * Reads whole traces that have a span starting in the window. Above `maxTraces`, traces are
 * kept by a hash of the trace id (its last 8 hex digits, uniform for random ids), so the
 * sample is deterministic: the same trace is in or out in every window and both windows of
 * a baseline comparison see the same population.
 */
export function loadCouplingSpans(db: Db, fromMs: number, toMs: number, maxTraces: number): LoadedSpans {
  const fromNs = BigInt(Math.floor(fromMs)) * 1_000_000n;
  const toNs = BigInt(Math.floor(toMs)) * 1_000_000n;
  const ids = db
    .prepare("SELECT DISTINCT trace_id AS t FROM spans WHERE start_ns >= ? AND start_ns < ?")
    .pluck()
    .all(fromNs, toNs) as string[];
  let picked = ids;
  const sampled = ids.length > maxTraces;
  if (sampled) {
    const keep = (maxTraces / ids.length) * 0x100000000;
    picked = ids.filter((t) => hashOf(t) < keep);
  }
  const resources = new Map<number, { namespace: string | null; environment: string | null; attributes: Attributes }>();
  const resStmt = db.prepare("SELECT namespace, environment, attributes FROM resources WHERE id = ?");
  const spans: CouplingSpan[] = [];
  const CHUNK = 400;
  for (let i = 0; i < picked.length; i += CHUNK) {
    const chunk = picked.slice(i, i + CHUNK);
    const rows = db
      .prepare(
        `SELECT trace_id, span_id, parent_span_id, service, name, kind, start_ns / 1000 AS start_us, end_ns / 1000 AS end_us,
                status_code, resource_id, attributes, links
           FROM spans WHERE trace_id IN (${chunk.map(() => "?").join(",")})`,
      )
      .all(...chunk) as SpanRow[];
    for (const r of rows) {
      let res = resources.get(r.resource_id);
      if (!res) {
        const row = resStmt.get(r.resource_id) as { namespace: string | null; environment: string | null; attributes: string } | undefined;
        res = { namespace: row?.namespace ?? null, environment: row?.environment ?? null, attributes: parseJson(row?.attributes) };
        resources.set(r.resource_id, res);
      }
      const links = parseJson(r.links) as unknown;
      spans.push({
        traceId: r.trace_id,
        spanId: r.span_id,
        parentSpanId: r.parent_span_id || null,
        service: r.service,
        namespace: res.namespace,
        environment: res.environment,
        name: r.name,
        kind: r.kind,
        startUs: Number(r.start_us),
        endUs: Number(r.end_us),
        error: r.status_code === 2,
        attributes: parseJson(r.attributes),
        resource: res.attributes,
        links: Array.isArray(links)
          ? links.filter((l): l is { traceId: string; spanId: string } => !!l && typeof l.traceId === "string" && typeof l.spanId === "string").map((l) => ({ traceId: l.traceId, spanId: l.spanId }))
          : [],
      });
    }
  }
  return { spans, tracesTotal: ids.length, tracesScanned: picked.length, sampled };
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: number;
  start_us: number | bigint;
  end_us: number | bigint;
  status_code: number;
  resource_id: number;
  attributes: string;
  links: string | null;
}

function hashOf(traceId: string): number {
  const tail = traceId.slice(-8);
  const n = Number.parseInt(tail, 16);
  if (Number.isFinite(n) && /^[0-9a-f]{8}$/i.test(tail)) return n;
  let h = 2166136261;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function parseJson(text: string | null | undefined): Attributes {
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Attributes) : Array.isArray(v) ? (v as unknown as Attributes) : {};
  } catch {
    return {};
  }
}
