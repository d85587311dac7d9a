import "server-only";
import { KIND, type ReadSpan } from "../types";

/** One synchronous service-to-service call (reference §1.2 E-sync). */
export interface SyncCall {
  traceId: string;
  caller: string;
  callee: string;
  /** The caller's CLIENT span; null when the server's parent is another kind of span. */
  client: ReadSpan | null;
  server: ReadSpan;
  startUs: number;
  endUs: number;
  error: boolean;
}

export const spanKey = (traceId: string, spanId: string): string => traceId + "/" + spanId;

/**
 * Pairs each SERVER span with its parent span in another service: the parent's service is
 * the caller. This is the same pairing as the service-graph stage (CLIENT (trace, span_id)
 * with SERVER (trace, parent_span_id)); it is kept behind this one function so it can be
 * swapped for `buildGraphFromSpans` from server/aggregate/servicegraph when that exports
 * per-call records.
 */
export function pairSyncCalls(spans: readonly ReadSpan[], byKey: ReadonlyMap<string, ReadSpan>): SyncCall[] {
  const calls: SyncCall[] = [];
  for (const s of spans) {
    if (s.kind !== KIND.SERVER || s.parentSpanId === null) continue;
    const p = byKey.get(spanKey(s.traceId, s.parentSpanId));
    if (!p || p.service === s.service) continue;
    // A PRODUCER parent means an async hop modelled by messaging, not a sync call.
    if (p.kind === KIND.PRODUCER || p.kind === KIND.CONSUMER) continue;
    calls.push({
      traceId: s.traceId,
      caller: p.service,
      callee: s.service,
      client: p.kind === KIND.CLIENT ? p : null,
      server: s,
      startUs: p.kind === KIND.CLIENT ? p.startUs : s.startUs,
      endUs: p.kind === KIND.CLIENT ? p.endUs : s.endUs,
      error: s.error || (p.kind === KIND.CLIENT && p.error),
    });
  }
  return calls;
}
