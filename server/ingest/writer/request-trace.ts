import "server-only";
import { getSpanClockMs, recordSpan } from "../../platform/self-tracing";

/**
 * Writer-side timings of one self-traced (sampled) ingest request. They become spans under
 * the request's traceparent once the transaction holding its rows is done: decode,
 * normalize, queue wait (until its transaction starts), commit and, after the
 * acknowledgement, aggregation. Unsampled requests carry no traceparent and cost nothing here.
 */
export interface RequestTrace {
  parent: string;
  bytes: number;
  decodeStart: number;
  decodeEnd: number;
  normalizeEnd: number;
  items: number;
  rejected: number;
}

/** Times of one flush, shared by every request it carried. */
export interface FlushMarks {
  commitStart: number;
  commitEnd: number;
  requests: number;
  items: number;
  inserted: number;
  error?: string;
}

export function recordDecodeFailure(parent: string, bytes: number, start: number, message: string): void {
  recordSpan(parent, "ingest.decode", start, getSpanClockMs(), { "cartograph.request.bytes": bytes }, message);
}

export function recordRequestSpans(t: RequestTrace, f: FlushMarks): void {
  recordSpan(t.parent, "ingest.decode", t.decodeStart, t.decodeEnd, { "cartograph.request.bytes": t.bytes });
  recordSpan(t.parent, "ingest.normalize", t.decodeEnd, t.normalizeEnd, {
    "cartograph.items": t.items,
    "cartograph.items.rejected": t.rejected,
  });
  recordSpan(t.parent, "ingest.queue_wait", t.normalizeEnd, f.commitStart, { "cartograph.batch.requests": f.requests });
  recordSpan(
    t.parent,
    "ingest.commit",
    f.commitStart,
    f.commitEnd,
    {
      "cartograph.batch.requests": f.requests,
      "cartograph.batch.items": f.items,
      "cartograph.batch.inserted": f.inserted,
    },
    f.error,
  );
}

export function recordAggregateSpan(
  t: RequestTrace,
  start: number,
  end: number,
  spans: number,
  aggregators: number,
): void {
  recordSpan(t.parent, "ingest.aggregate", start, end, {
    "cartograph.batch.inserted": spans,
    "cartograph.aggregators": aggregators,
  });
}
