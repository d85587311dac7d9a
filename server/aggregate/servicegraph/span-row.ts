import "server-only";
import { mapSpanRow, SPAN_COLUMNS, SPAN_FROM, type Db, type SpanRow } from "../../store";
import type { PartnerLookup } from "./pairing-store";

/** Late-half lookup against stored spans (the (trace_id, span_id) index narrows it to one trace). */
export function createDbLookup(db: Db): PartnerLookup {
  const child = db
    .prepare(`SELECT ${SPAN_COLUMNS} FROM ${SPAN_FROM} WHERE s.trace_id = ? AND s.parent_span_id = ? AND s.kind IN (2, 5) LIMIT 1`)
    .safeIntegers(true);
  const clientChild = db.prepare("SELECT 1 FROM spans WHERE trace_id = ? AND parent_span_id = ? AND kind IN (3, 4) LIMIT 1").pluck();
  const byId = db.prepare(`SELECT ${SPAN_COLUMNS} FROM ${SPAN_FROM} WHERE s.trace_id = ? AND s.span_id = ? LIMIT 1`).safeIntegers(true);
  return {
    findServerChild: (traceId, spanId) => {
      const row = child.get(traceId, spanId) as SpanRow | undefined;
      return row ? mapSpanRow(row) : null;
    },
    findSpan: (traceId, spanId) => {
      const row = byId.get(traceId, spanId) as SpanRow | undefined;
      return row ? mapSpanRow(row) : null;
    },
    hasClientChild: (traceId, spanId) => clientChild.get(traceId, spanId) !== undefined,
  };
}
