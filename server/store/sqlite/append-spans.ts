import "server-only";
import type { Span, MetricPoint, ResourceInfo } from "../../normalize";
import type { Db } from "./open";

const bigintJson = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);

/**
 * Prepared statements for appending raw telemetry. Insert-or-ignore on (trace_id, span_id)
 * makes ingest idempotent: a client's retry of an acknowledged batch stores nothing twice,
 * and only the spans actually inserted are returned for aggregation.
 */
export function createAppender(db: Db) {
  const insertSpan = db.prepare(`INSERT OR IGNORE INTO spans
    (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, duration_ns,
     status_code, status_message, resource_id, scope, attributes, events, links)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertResource = db.prepare(
    `INSERT OR IGNORE INTO resources (service, namespace, environment, attributes) VALUES (?, ?, ?, ?)`,
  );
  const findResource = db.prepare(`SELECT id FROM resources WHERE attributes = ?`).pluck();
  const upsertSeries = db.prepare(`INSERT INTO metric_series
      (service, name, type, unit, description, temporality, monotonic, attributes, last_seen_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (service, name, type, attributes) DO UPDATE SET last_seen_ms = excluded.last_seen_ms,
        unit = excluded.unit, description = excluded.description
      RETURNING id`).pluck();
  const insertPoint = db.prepare(`INSERT OR IGNORE INTO metric_points
      (series_id, start_ns, time_ns, value, count, sum, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`);

  // Resource ids by identity object first (one lookup per request), then by JSON text.
  const byObject = new WeakMap<ResourceInfo, number>();
  const byJson = new Map<string, number>();

  function resourceId(r: ResourceInfo): number {
    const cached = byObject.get(r);
    if (cached !== undefined) return cached;
    const json = JSON.stringify(r.attributes);
    let id = byJson.get(json);
    if (id === undefined) {
      insertResource.run(r.service, r.namespace, r.environment, json);
      id = findResource.get(json) as number;
      if (byJson.size > 10_000) byJson.clear();
      byJson.set(json, id);
    }
    byObject.set(r, id);
    return id;
  }

  /** Appends spans; returns those that were new (duplicates are skipped). Call inside a transaction. */
  function appendSpans(spans: readonly Span[], out: Span[]): void {
    for (const s of spans) {
      const info = insertSpan.run(
        s.traceId,
        s.spanId,
        s.parentSpanId,
        s.resource.service,
        s.name,
        s.kind,
        s.startNs,
        s.endNs,
        s.endNs - s.startNs,
        s.statusCode,
        s.statusMessage || null,
        resourceId(s.resource),
        s.scope.name || s.scope.version ? JSON.stringify(s.scope) : null,
        JSON.stringify(s.attributes),
        s.events.length ? JSON.stringify(s.events, bigintJson) : null,
        s.links.length ? JSON.stringify(s.links) : null,
      );
      if (info.changes > 0) out.push(s);
    }
  }

  /** Appends metric points (duplicates by series and time are skipped). Call inside a transaction. */
  function appendMetricPoints(points: readonly MetricPoint[], nowMs: number): number {
    let stored = 0;
    const seriesCache = new Map<string, number>();
    for (const p of points) {
      const attrs = JSON.stringify(p.attributes);
      const key = `${p.service}\u0000${p.name}\u0000${p.type}\u0000${attrs}`;
      let sid = seriesCache.get(key);
      if (sid === undefined) {
        sid = upsertSeries.get(p.service, p.name, p.type, p.unit, p.description, p.temporality, p.monotonic ? 1 : 0, attrs, nowMs) as number;
        seriesCache.set(key, sid);
      }
      const info = insertPoint.run(sid, p.startNs, p.timeNs, p.value, p.count, p.sum, p.detail ? JSON.stringify(p.detail) : null);
      stored += info.changes;
    }
    return stored;
  }

  return { appendSpans, appendMetricPoints };
}
