import "server-only";
import type { Span } from "../../normalize";
import { linkZipkinTrace, type ZipkinLinkSink } from "./zipkin-links";
import { isSharedHalf, isZipkinSpan } from "./zipkin-tree";

/**
 * Streaming side of Zipkin linking. Zipkin's rules need the trace tree (nearest ancestor with a
 * kind, whether a client has children, the trace's root), so Zipkin spans wait per trace until
 * the trace has been quiet for `wait`, then the trace is linked and each waiting span adds its
 * calls once. A trace whose waiting spans name a parent that is not among them (a part sent
 * earlier, or linked in an earlier round) is completed from the store first. Bounded: at
 * `maxItems` waiting spans a new one is refused (the caller pairs it the OTLP way) and counted.
 */
export interface StoredTraceReader {
  (traceIds: readonly string[]): Promise<Span[]>;
}

interface Waiting {
  spans: Span[];
  lastMs: number;
}

export class ZipkinTraceBuffer {
  private readonly traces = new Map<string, Waiting>();
  private size = 0;
  readonly totals = { linkedTraces: 0, storeReads: 0, refused: 0 };

  constructor(private readonly opts: { waitMs: number; maxItems: number; maxReadsPerFlush?: number }) {}

  get pending(): number {
    return this.size;
  }

  /** Takes a span to link later; false when the buffer is full (or the span is not Zipkin's). */
  add(span: Span, nowMs: number): boolean {
    if (!isZipkinSpan(span)) return false;
    if (this.size >= this.opts.maxItems) {
      this.totals.refused++;
      return false;
    }
    let w = this.traces.get(span.traceId);
    if (w) this.traces.delete(span.traceId);
    else w = { spans: [], lastMs: nowMs };
    w.spans.push(span);
    w.lastMs = nowMs;
    // Re-inserted on every span, so Map order is quiet order and expiry stops at the first live trace.
    this.traces.set(span.traceId, w);
    this.size++;
    return true;
  }

  /** Links every trace quiet for `wait` (all of them when `all`), reading what is missing from the store. */
  async flush(nowMs: number, read: StoredTraceReader | null, sink: ZipkinLinkSink, all = false): Promise<void> {
    const due: Array<[string, Waiting]> = [];
    for (const [id, w] of this.traces) {
      if (!all && w.lastMs + this.opts.waitMs > nowMs) break;
      due.push([id, w]);
    }
    for (const [id, w] of due) {
      this.traces.delete(id);
      this.size -= w.spans.length;
    }
    const maxReads = this.opts.maxReadsPerFlush ?? 5000;
    const incomplete = read ? due.filter(([, w]) => needsStore(w.spans)).slice(0, maxReads) : [];
    const stored = new Map<string, Span[]>();
    if (incomplete.length > 0 && read) {
      this.totals.storeReads += incomplete.length;
      const CHUNK = 400;
      for (let i = 0; i < incomplete.length; i += CHUNK)
        for (const s of await read(incomplete.slice(i, i + CHUNK).map(([id]) => id))) {
          if (!isZipkinSpan(s)) continue;
          const list = stored.get(s.traceId);
          if (list) list.push(s);
          else stored.set(s.traceId, [s]);
        }
    }
    for (const [id, w] of due) {
      this.totals.linkedTraces++;
      const fresh = new Set(w.spans.map((s) => s.spanId));
      const known = stored.get(id);
      const spans = known ? [...w.spans, ...known.filter((s) => !fresh.has(s.spanId))] : w.spans;
      linkZipkinTrace(spans, sink, known ? (s) => fresh.has(s.spanId) : undefined);
    }
  }
}

/** Some waiting span's parent (or shared client half) is not among the waiting spans. */
function needsStore(spans: readonly Span[]): boolean {
  const ids = new Set(spans.map((s) => s.spanId));
  let roots = 0;
  for (const s of spans) {
    if (s.parentSpanId === null) roots++;
    else if (!ids.has(s.parentSpanId)) return true;
    if (isSharedHalf(s) && !ids.has(s.parentSpanId!)) return true;
  }
  return roots === 0;
}
