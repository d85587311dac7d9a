import "server-only";
import type { Attributes, Span, SpanKindValue, StatusCodeValue } from "../../normalize";
import type { Db } from "./open";
import { createAppender } from "./append-spans";

/**
 * Databases written before span blocks kept one JSON row per span (now `legacy_spans`).
 * On open, the writer moves those rows into blocks in chunks, oldest first, each chunk in
 * one transaction with its deletion, then drops the table: nothing acknowledged is lost and
 * an interrupted move resumes on the next open.
 */
const CHUNK = 5_000;

interface LegacyRow {
  rowid: bigint;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: bigint;
  start_ns: bigint;
  end_ns: bigint;
  status_code: bigint;
  status_message: string | null;
  scope: string | null;
  attributes: string;
  events: string | null;
  links: string | null;
  r_namespace: string | null;
  r_environment: string | null;
  r_attributes: string | null;
}

function parse<T>(text: string | null, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toSpan(r: LegacyRow): Span {
  const events = parse<{ timeUnixNano?: string | number; name?: string; attributes?: Attributes }[]>(r.events, []);
  const links = parse<{ traceId?: string; spanId?: string; attributes?: Attributes }[]>(r.links, []);
  return {
    traceId: r.trace_id,
    spanId: r.span_id,
    parentSpanId: r.parent_span_id ? r.parent_span_id : null,
    name: r.name,
    kind: Number(r.kind) as SpanKindValue,
    startNs: BigInt(r.start_ns),
    endNs: BigInt(r.end_ns),
    statusCode: Number(r.status_code) as StatusCodeValue,
    statusMessage: r.status_message ?? "",
    attributes: parse<Attributes>(r.attributes, {}),
    events: Array.isArray(events)
      ? events.map((e) => ({
          timeUnixNano: BigInt(e.timeUnixNano ?? 0),
          name: e.name ?? "",
          attributes: e.attributes ?? {},
        }))
      : [],
    links: Array.isArray(links)
      ? links
          .filter((l) => typeof l.traceId === "string" && typeof l.spanId === "string")
          .map((l) => ({ traceId: l.traceId!, spanId: l.spanId!, attributes: l.attributes ?? {} }))
      : [],
    scope: parse(r.scope, { name: "", version: "" }),
    resource: {
      service: r.service,
      namespace: r.r_namespace,
      environment: r.r_environment,
      attributes: parse<Attributes>(r.r_attributes, {}),
    },
  };
}

/** Moves every legacy span row into blocks; returns how many rows were moved. */
export function convertLegacySpans(db: Db): number {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'legacy_spans'`).get();
  if (!exists) return 0;
  const pick = db
    .prepare(
      `SELECT s.rowid AS rowid, s.trace_id, s.span_id, s.parent_span_id, s.service, s.name, s.kind, s.start_ns, s.end_ns,
      s.status_code, s.status_message, s.scope, s.attributes, s.events, s.links,
      r.namespace AS r_namespace, r.environment AS r_environment, r.attributes AS r_attributes
      FROM legacy_spans s LEFT JOIN resources r ON r.id = s.resource_id ORDER BY s.rowid LIMIT ${CHUNK}`,
    )
    .safeIntegers(true);
  const del = db.prepare(`DELETE FROM legacy_spans WHERE rowid <= ?`);
  const app = createAppender(db);
  // Resources parsed once per distinct JSON text, so spans of one resource share an object.
  const shared = new Map<string, Span["resource"]>();
  let moved = 0;
  for (;;) {
    const rows = pick.all() as LegacyRow[];
    if (rows.length === 0) break;
    db.transaction(() => {
      const spans = rows.map((r) => {
        const s = toSpan(r);
        const key = `${r.service}\u0000${r.r_attributes ?? ""}`;
        const res = shared.get(key);
        if (res) s.resource = res;
        else shared.set(key, s.resource);
        return s;
      });
      app.appendSpans(spans, []);
      del.run(rows[rows.length - 1]!.rowid);
    })();
    moved += rows.length;
  }
  db.exec(`DROP TABLE legacy_spans`);
  return moved;
}
