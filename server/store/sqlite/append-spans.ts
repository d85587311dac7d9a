import "server-only";
import type { Span, MetricPoint } from "../../normalize";
import type { Db } from "./open";
import { ByteWriter } from "./byte-io";
import { buildBloom } from "./bloom";
import { encodeBlock, type BlockSection } from "./span-block";
import { mergeSummary, newSummary, readIds, type SummaryRow } from "./trace-summary";
import { createGroupWriter } from "./span-block-groups";
import { createResourceIds, type ResourceIds } from "./resource-ids";

/**
 * Appends raw telemetry. Spans: one compressed block per call (span-block.ts) plus one
 * summary row per trace (trace-summary.ts). The summary's span id list makes ingest
 * idempotent: a client's retry of an acknowledged batch stores nothing twice, and only the
 * spans actually stored are returned for aggregation. Call inside a transaction: the block
 * and the summaries that point at it commit together.
 */
export function createAppender(db: Db, resources: ResourceIds = createResourceIds(db)) {
  const insertTrace = db.prepare(`INSERT INTO traces
    (trace_id, start_ns, end_ns, last_ns, duration_ns, spans, errors, root_resource, root_name, root_parentless, resources, blocks, span_ids)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO NOTHING`);
  const selectTrace = db
    .prepare(
      `SELECT id, start_ns, end_ns, last_ns, spans, errors, root_resource, root_name, root_parentless,
    resources, blocks, span_ids FROM traces WHERE trace_id = ?`,
    )
    .safeIntegers(true);
  const updateTrace =
    db.prepare(`UPDATE traces SET start_ns = ?, end_ns = ?, last_ns = ?, duration_ns = ?, spans = ?, errors = ?,
    root_resource = ?, root_name = ?, root_parentless = ?, resources = ?, blocks = ?, span_ids = ? WHERE id = ?`);
  const maxBlock = db.prepare(`SELECT max(id) FROM span_blocks`).pluck();
  const insertBlock = db.prepare(
    `INSERT INTO span_blocks (id, min_start_ns, max_start_ns, spans, bloom, postings) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertBlockData = db.prepare(`INSERT INTO span_block_data (id, data) VALUES (?, ?)`);
  const groups = createGroupWriter(db);
  const upsertSeries = db
    .prepare(
      `INSERT INTO metric_series
      (service, name, type, unit, description, temporality, monotonic, attributes, last_seen_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (service, name, type, attributes) DO UPDATE SET last_seen_ms = excluded.last_seen_ms,
        unit = excluded.unit, description = excluded.description
      RETURNING id`,
    )
    .pluck();
  const insertPoint = db.prepare(`INSERT OR IGNORE INTO metric_points
      (series_id, start_ns, time_ns, value, count, sum, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`);

  const body = new ByteWriter();
  const strings = new ByteWriter();

  const resourceIdOf = (s: Span) => resources.idOf(s.resource);

  /** Appends spans as one block; pushes those that were new onto `out` (duplicates are skipped). */
  function appendSpans(spans: readonly Span[], out: Span[]): void {
    if (spans.length === 0) return;
    const byTrace = new Map<string, Span[]>();
    for (const s of spans) {
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    const blockId = ((maxBlock.get() as number | null) ?? 0) + 1;
    const sections: BlockSection[] = [];
    for (const [traceId, list] of byTrace) {
      const key = Buffer.from(traceId, "hex");
      const fresh = dedupe(list, null);
      const summary = newSummary(fresh, blockId, resourceIdOf);
      const info = insertTrace.run(
        key,
        summary.startNs,
        summary.endNs,
        summary.lastNs,
        summary.endNs - summary.startNs,
        summary.spans,
        summary.errors,
        summary.rootResource,
        summary.rootName,
        summary.rootParentless ? 1 : 0,
        summary.resources,
        summary.blocks,
        summary.spanIds,
      );
      if (info.changes > 0) {
        const index = indexNew(fresh);
        sections.push({
          traceKey: Number(info.lastInsertRowid),
          firstIndex: 0,
          spans: fresh,
          indexOf: (id) => index.get(id) ?? -1,
        });
        for (const s of fresh) out.push(s);
        continue;
      }
      // The trace exists: keep only span ids it does not hold yet.
      const row = selectTrace.get(key) as SummaryRow;
      const known = readIds(row.span_ids);
      const added = dedupe(list, known);
      if (added.length === 0) continue;
      const merged = mergeSummary(row, added, blockId, resourceIdOf);
      updateTrace.run(
        merged.startNs,
        merged.endNs,
        merged.lastNs,
        merged.endNs - merged.startNs,
        merged.spans,
        merged.errors,
        merged.rootResource,
        merged.rootName,
        merged.rootParentless ? 1 : 0,
        merged.resources,
        merged.blocks,
        merged.spanIds,
        row.id,
      );
      const first = known.size;
      for (let i = 0; i < added.length; i++) known.set(added[i]!.spanId, first + i);
      sections.push({
        traceKey: Number(row.id),
        firstIndex: first,
        spans: added,
        indexOf: (id) => known.get(id) ?? -1,
      });
      for (const s of added) out.push(s);
    }
    if (sections.length === 0) return;
    const block = encodeBlock(sections, resourceIdOf, body, strings);
    insertBlock.run(blockId, block.minStartNs, block.maxStartNs, block.spans, buildBloom(block.terms), block.postings);
    insertBlockData.run(blockId, block.data);
    groups.noteBlock({
      id: blockId,
      minStartNs: block.minStartNs,
      maxStartNs: block.maxStartNs,
      spans: block.spans,
      terms: block.terms,
    });
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
        sid = upsertSeries.get(
          p.service,
          p.name,
          p.type,
          p.unit,
          p.description,
          p.temporality,
          p.monotonic ? 1 : 0,
          attrs,
          nowMs,
        ) as number;
        seriesCache.set(key, sid);
      }
      const info = insertPoint.run(
        sid,
        p.startNs,
        p.timeNs,
        p.value,
        p.count,
        p.sum,
        p.detail ? JSON.stringify(p.detail) : null,
      );
      stored += info.changes;
    }
    return stored;
  }

  return { appendSpans, appendMetricPoints };
}

/** Spans whose id is neither in `known` nor earlier in the list (a batch may repeat a span). */
function dedupe(list: Span[], known: Map<string, number> | null): Span[] {
  if (list.length === 1) return known?.has(list[0]!.spanId) ? [] : list;
  if (known === null && list.length <= 16) {
    // Small new traces (the common case): a quadratic check beats building a Set.
    let dup = false;
    for (let i = 1; i < list.length && !dup; i++)
      for (let j = 0; j < i; j++)
        if (list[i]!.spanId === list[j]!.spanId) {
          dup = true;
          break;
        }
    if (!dup) return list;
  }
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const s of list) {
    if (seen.has(s.spanId) || known?.has(s.spanId)) continue;
    seen.add(s.spanId);
    out.push(s);
  }
  return out;
}

function indexNew(spans: Span[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < spans.length; i++) m.set(spans[i]!.spanId, i);
  return m;
}
