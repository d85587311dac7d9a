import "server-only";
import { readTraceSpans, type Db } from "../../store";
import { SpanKind, type Span } from "../../normalize";
import type { PartnerLookup } from "./pairing-store";

/**
 * Late-half lookup against stored spans: the trace summary names the blocks holding the
 * trace, and decoded blocks are cached by the store, so successive lookups in one trace
 * (server child, then nested client) decode nothing twice. The last trace read is kept.
 */
export function createDbLookup(db: Db): PartnerLookup {
  let lastId = "";
  let last: Span[] = [];
  const spansOf = (traceId: string): Span[] => {
    if (traceId !== lastId) {
      last = readTraceSpans(db, traceId);
      lastId = traceId;
    }
    return last;
  };
  const forget = () => {
    lastId = "";
    last = [];
  };
  return {
    findServerChild: (traceId, spanId) => {
      forget(); // a new settle round may follow newly stored spans
      return spansOf(traceId).find((s) => s.parentSpanId === spanId && (s.kind === SpanKind.SERVER || s.kind === SpanKind.CONSUMER)) ?? null;
    },
    findSpan: (traceId, spanId) => {
      forget();
      return spansOf(traceId).find((s) => s.spanId === spanId) ?? null;
    },
    hasClientChild: (traceId, spanId) =>
      spansOf(traceId).some((s) => s.parentSpanId === spanId && (s.kind === SpanKind.CLIENT || s.kind === SpanKind.PRODUCER)),
  };
}
