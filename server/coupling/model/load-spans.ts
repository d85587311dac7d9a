import "server-only";
import type { SpanStore } from "../../store";
import type { Span } from "../../normalize";

export interface LoadedSpans {
  spans: Span[];
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
export async function loadCouplingSpans(
  store: SpanStore,
  fromMs: number,
  toMs: number,
  maxTraces: number,
): Promise<LoadedSpans> {
  const ids = await store.listTraceIdsInWindow(fromMs, toMs);
  let picked = ids;
  const sampled = ids.length > maxTraces;
  if (sampled) {
    const keep = (maxTraces / ids.length) * 0x100000000;
    picked = ids.filter((t) => hashOf(t) < keep);
  }
  const spans: Span[] = [];
  const CHUNK = 400;
  for (let i = 0; i < picked.length; i += CHUNK) {
    for (const s of await store.readTraces(picked.slice(i, i + CHUNK))) spans.push(s);
  }
  return { spans, tracesTotal: ids.length, tracesScanned: picked.length, sampled };
}

function hashOf(traceId: string): number {
  const tail = traceId.slice(-8);
  const n = Number.parseInt(tail, 16);
  if (Number.isFinite(n) && /^[0-9a-f]{8}$/i.test(tail)) return n;
  let h = 2166136261;
  for (let i = 0; i < traceId.length; i++) h = Math.imul(h ^ traceId.charCodeAt(i), 16777619) >>> 0;
  return h;
}
