import "server-only";
import type { Span } from "../../normalize";
import type { SpanStore } from "../../store";
import type { RollupSink, SpanAggregator } from "../types";
import { GraphAccumulator } from "./graph-accumulator";
import { toGraphBatch } from "./graph-batch";
import { EdgeMetrics, type ServiceGraphSnapshot } from "./metrics";
import { PeerGuard } from "./peer-guard";
import { spanServiceKey, spanStartMs } from "./classify-span";
import { createListLookup, PairingStore, settleExpired, type PartnerLookup } from "./pairing-store";
import type { Half, PairingCounts, WaitingHalf } from "./types";
import { ZipkinTraceBuffer } from "./zipkin-buffer";

export interface ServiceGraphAggregatorOptions {
  /** CARTOGRAPH_PAIRING_WAIT_MS */
  waitMs: number;
  /** CARTOGRAPH_PAIRING_MAX_ITEMS */
  maxItems: number;
  /** Distinct peer nodes (not services) kept; past it new peers fold into an overflow node per kind. */
  maxPeers?: number;
  /** Late-half lookups against stored spans per flush; the rest settle without one. */
  maxLookupsPerFlush?: number;
  /** Optional error logger (flush failures are counted and never thrown). */
  onError?: (message: string, err: unknown) => void;
  /** Replaces the stored-span lookup (tests). */
  lookupFor?: (spans: SpanStore, halves: readonly Half[]) => Promise<PartnerLookup>;
}

/**
 * Tier 1 of the service graph: pairs spans as they are stored, settles halves that waited
 * `waitMs` (checking stored spans first, so a partner stored earlier still pairs), and hands
 * per-minute edge rollups, node metadata and completeness to the store on every flush. The
 * halves still waiting at a clean stop are saved (suspend) and wait on after the restart
 * (resume): a partner sent while the process restarted pairs as if nothing had happened.
 */
export interface ServiceGraphAggregator extends SpanAggregator {
  snapshot(): ServiceGraphSnapshot;
}

export function createServiceGraphAggregator(opts: ServiceGraphAggregatorOptions): ServiceGraphAggregator {
  const store = new PairingStore({ waitMs: opts.waitMs, maxItems: opts.maxItems });
  const acc = new GraphAccumulator();
  // Whole spans wait here (a half in the pairing store is a tenth of one): a quarter of the cap.
  const zipkin = new ZipkinTraceBuffer({
    waitMs: opts.waitMs,
    maxItems: Math.max(1, Math.floor(opts.maxItems / 4)),
    maxReadsPerFlush: opts.maxLookupsPerFlush,
  });
  const metrics = new EdgeMetrics();
  const maxLookups = opts.maxLookupsPerFlush ?? 5000;
  const peers = new PeerGuard(opts.maxPeers ?? Number.MAX_SAFE_INTEGER);
  let peersSeeded = false;
  const totals: PairingCounts & {
    lateLookups: number;
    lookupsSkipped: number;
    flushErrors: number;
    observeErrors: number;
  } = {
    paired: 0,
    unpairedClient: 0,
    unpairedServer: 0,
    virtual: 0,
    expired: 0,
    dropped: 0,
    lateLookups: 0,
    lookupsSkipped: 0,
    flushErrors: 0,
    observeErrors: 0,
  };
  acc.onCall = (c) => metrics.record(c);
  const sink = {
    call: (c: Parameters<GraphAccumulator["call"]>[0]) => acc.call(peers.bound(c)),
    count: (what: keyof PairingCounts, timeMs: number) => {
      totals[what]++;
      acc.count(what, timeMs);
    },
    service: (name: string, timeMs: number) => acc.service(name, timeMs),
  };
  const lookupFor = opts.lookupFor ?? lookupStored;

  return {
    name: "servicegraph",
    observe(spans: readonly Span[], nowMs: number): void {
      for (const s of spans) {
        try {
          // Zipkin spans wait for their trace (Zipkin's linker rules); a full buffer pairs them as OTLP.
          if (zipkin.add(s, nowMs)) sink.service(spanServiceKey(s), spanStartMs(s));
          else store.addSpan(s, nowMs, sink);
        } catch (err) {
          // A malformed span must not stop the rest of the batch.
          totals.observeErrors++;
          opts.onError?.("servicegraph: span skipped", err);
        }
      }
    },
    async flush(target: RollupSink, nowMs: number): Promise<void> {
      try {
        if (!peersSeeded) {
          // The stored peers first (a restart must not admit a second set of new ones).
          peersSeeded = true;
          peers.seed((await target.graph.readEdgeFacts()).flatMap((e) => [e.target, e.source]));
        }
        const expired = store.takeExpired(nowMs);
        const looked = expired.slice(0, maxLookups);
        const lookup = looked.length ? await lookupFor(target.spans, looked) : null;
        for (let i = 0; i < expired.length; i++) {
          if (i < looked.length) {
            totals.lateLookups++;
            settleExpired(expired[i]!, lookup, sink);
          } else {
            totals.lookupsSkipped++;
            settleExpired(expired[i]!, null, sink);
          }
        }
        await zipkin.flush(nowMs, (ids) => target.spans.readTraces(ids), sink);
        if (!acc.isEmpty()) await target.graph.mergeGraph(toGraphBatch(acc));
      } catch (err) {
        totals.flushErrors++;
        opts.onError?.("servicegraph: flush failed", err);
      } finally {
        // Rows that failed to write are dropped rather than retried forever (bounded memory).
        acc.clear();
      }
    },
    suspend(): string | null {
      const waiting = store.listWaiting();
      return waiting.length ? JSON.stringify({ v: 1, waiting }) : null;
    },
    resume(state: string): void {
      try {
        const saved = JSON.parse(state) as { v?: number; waiting?: WaitingHalf[] };
        if (saved.v === 1 && Array.isArray(saved.waiting)) store.restoreWaiting(saved.waiting);
      } catch (err) {
        opts.onError?.("servicegraph: saved pairing state unreadable, ignored", err);
      }
    },
    snapshot(): ServiceGraphSnapshot {
      const changed = metrics.takeChangedSeries();
      return {
        series: changed.series,
        seriesReset: changed.reset,
        overflowCalls: metrics.overflowCalls,
        peers: { known: peers.size, foldedCalls: peers.folded },
        pairing: {
          observed: store.totals.observed,
          paired: totals.paired,
          expired: totals.expired,
          dropped: totals.dropped,
          duplicates: store.totals.duplicates,
          unpairedClient: totals.unpairedClient,
          unpairedServer: totals.unpairedServer,
          virtual: totals.virtual,
          pending: store.pending + zipkin.pending,
          lateLookups: totals.lateLookups,
          lookupsSkipped: totals.lookupsSkipped,
          flushErrors: totals.flushErrors,
        },
      };
    },
  };
}

/**
 * Late-half lookup against stored spans: the traces of the expiring halves are read in one
 * go (a partner stored earlier, e.g. before a restart, still pairs).
 */
async function lookupStored(spans: SpanStore, halves: readonly Half[]): Promise<PartnerLookup> {
  const ids = [...new Set(halves.map((h) => h.traceId))];
  const found = [];
  const CHUNK = 400;
  for (let i = 0; i < ids.length; i += CHUNK) found.push(...(await spans.readTraces(ids.slice(i, i + CHUNK))));
  return createListLookup(found);
}
