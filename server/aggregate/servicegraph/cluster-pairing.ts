import "server-only";
import type { Span } from "../../normalize";
import type { GraphPass } from "../../store";
import { encodeSketch } from "../red/sketch";
import { GraphAccumulator } from "./graph-accumulator";
import { createListLookup, PairingStore, settleExpired, takeZipkinSpans, type PairingSink } from "./pairing-store";
import type { PassGuards } from "./pass-guards";
import type { EdgeCall, PairingCounts } from "./types";

/**
 * Service-graph pairing for a cluster of instances (CARTOGRAPH_STORE=clickhouse).
 *
 * The two halves of a call usually reach different instances, so no instance can pair alone.
 * Instead one elected leader runs passes over closed windows of span start time: a pass takes
 * every trace with a span starting in [W, W + step), reads all stored spans of those traces
 * (a trace is whole on one shard), and feeds them through the same PairingStore, classifySpan
 * and settleExpired as the streaming aggregator of a single instance (database / queue clients
 * drawn at once, late halves settled against the trace). Of what that produces it keeps only
 * what the single-instance path attributes to the window: calls, counts and sightings whose
 * time (the client's start for a pair, the span's own start otherwise) is in [W, W + step).
 * Every call therefore lands in exactly one pass, and the rollups equal a single instance's for
 * the same traffic. Why not SQL joins in ClickHouse: the pairing rules (nested clients, proxies
 * in front of databases, uninstrumented client libraries, typed node identity) would have to be
 * written twice and would drift; here there is one implementation.
 */
export interface ClusterPairingSource {
  listTraceIdsInWindow(fromMs: number, toMs: number): Promise<string[]>;
  readTracesSpans(traceIds: readonly string[]): Promise<Map<string, Span[]>>;
}

/** Traces read per query; pairing is per trace, so chunks change nothing but memory. */
const TRACE_CHUNK = 2000;

function windowSink(acc: GraphAccumulator, fromMs: number, toMs: number, guards?: PassGuards): PairingSink {
  const inside = (t: number) => t >= fromMs && t < toMs;
  return {
    // Only the window's calls meet the peer guard: a call is admitted or folded in its own pass.
    call: (c: EdgeCall) => {
      if (inside(c.timeMs)) acc.call(guards ? guards.peers.bound(c) : c);
    },
    count: (what: keyof PairingCounts, timeMs: number) => {
      if (inside(timeMs)) acc.count(what, timeMs);
    },
    service: (name: string, timeMs: number) => {
      if (inside(timeMs)) acc.service(name, timeMs);
    },
  };
}

/** `settle` false (an early pass): halves still unanswered wait for the final pass. */
function pairTraces(spans: readonly Span[], sink: PairingSink, settle: boolean): void {
  const store = new PairingStore({ waitMs: 0, maxItems: Math.max(1, spans.length), drawAtOnce: true });
  spans = takeZipkinSpans(spans, sink);
  for (const s of spans) store.addSpan(s, 0, sink);
  if (!settle) return;
  const lookup = createListLookup(spans);
  for (const half of store.takeExpired(0, true)) settleExpired(half, lookup, sink);
}

/**
 * The graph rollups of one closed window [fromMs, toMs), ready for GraphStore.writeGraphPass.
 * With `guards`, names past the cardinality limits fold as on the embedded store (pass-guards.ts).
 * An early pass (`final` false) keeps what pairs now (pairs, database and queue clients drawn at
 * once) and leaves unanswered halves to the final pass, as a single instance keeps them waiting.
 */
export async function computeGraphPass(
  source: ClusterPairingSource,
  fromMs: number,
  toMs: number,
  guards?: PassGuards,
  final = true,
): Promise<GraphPass> {
  const acc = new GraphAccumulator();
  const sink = windowSink(acc, fromMs, toMs, guards);
  const ids = await source.listTraceIdsInWindow(fromMs, toMs);
  let read = 0;
  for (let i = 0; i < ids.length; i += TRACE_CHUNK) {
    const byTrace = await source.readTracesSpans(ids.slice(i, i + TRACE_CHUNK));
    const spans: Span[] = [];
    for (const list of byTrace.values()) for (const s of list) spans.push(s);
    read += spans.length;
    pairTraces(guards ? guards.fold(spans) : spans, sink, final);
  }
  return {
    pass: fromMs,
    endMs: toMs,
    final,
    spans: read,
    edges: [...acc.edges.values()].map((e) => ({
      ...e,
      clientSketch: encodeSketch(e.clientSketch),
      serverSketch: encodeSketch(e.serverSketch),
    })),
    nodes: [...acc.nodes.values()].map((n) => ({ ...n, detail: n.detail as Record<string, unknown> | undefined })),
    edgeMeta: [...acc.edgeMeta.values()],
    completeness: [...acc.completeness.entries()].map(([minute, c]) => ({ minute, ...c })),
  };
}
