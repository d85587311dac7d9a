import "server-only";
import type { Span } from "../../normalize";
import type { Db } from "../../store";
import type { SpanAggregator } from "../types";
import { GraphAccumulator } from "./graph-accumulator";
import { writeGraphRollups } from "./graph-store";
import { EdgeMetrics, type ServiceGraphSnapshot } from "./metrics";
import { PairingStore, settleExpired, type PartnerLookup } from "./pairing-store";
import { createDbLookup } from "./span-row";
import type { PairingCounts } from "./types";

export interface ServiceGraphAggregatorOptions {
  /** CARTOGRAPH_PAIRING_WAIT_MS */
  waitMs: number;
  /** CARTOGRAPH_PAIRING_MAX_ITEMS */
  maxItems: number;
  /** Late-half lookups against stored spans per flush; the rest settle without one. */
  maxLookupsPerFlush?: number;
  /** Optional error logger (flush failures are counted and never thrown). */
  onError?: (message: string, err: unknown) => void;
  /** Replaces the stored-span lookup (tests). */
  lookupFor?: (db: Db) => PartnerLookup;
}

/**
 * Tier 1 of the service graph: pairs spans as they are stored, settles halves that waited
 * `waitMs` (checking stored spans first, so a partner stored earlier still pairs), and writes
 * per-minute edge rollups, node metadata and completeness on every flush.
 */
export interface ServiceGraphAggregator extends SpanAggregator {
  snapshot(): ServiceGraphSnapshot;
}

export function createServiceGraphAggregator(opts: ServiceGraphAggregatorOptions): ServiceGraphAggregator {
  const store = new PairingStore({ waitMs: opts.waitMs, maxItems: opts.maxItems });
  const acc = new GraphAccumulator();
  const metrics = new EdgeMetrics();
  const maxLookups = opts.maxLookupsPerFlush ?? 5000;
  const totals: PairingCounts & { lateLookups: number; lookupsSkipped: number; flushErrors: number; observeErrors: number } = {
    paired: 0, unpairedClient: 0, unpairedServer: 0, virtual: 0, expired: 0, dropped: 0,
    lateLookups: 0, lookupsSkipped: 0, flushErrors: 0, observeErrors: 0,
  };
  acc.onCall = (c) => metrics.record(c);
  const sink = {
    call: (c: Parameters<GraphAccumulator["call"]>[0]) => acc.call(c),
    count: (what: keyof PairingCounts, timeMs: number) => {
      totals[what]++;
      acc.count(what, timeMs);
    },
    service: (name: string, timeMs: number) => acc.service(name, timeMs),
  };
  let lookupDb: Db | null = null;
  let lookup: PartnerLookup | null = null;

  return {
    name: "servicegraph",
    observe(spans: readonly Span[], nowMs: number): void {
      for (const s of spans) {
        try {
          store.addSpan(s, nowMs, sink);
        } catch (err) {
          // A malformed span must not stop the rest of the batch.
          totals.observeErrors++;
          opts.onError?.("servicegraph: span skipped", err);
        }
      }
    },
    flush(db: Db, nowMs: number): void {
      try {
        if (lookupDb !== db) {
          lookup = (opts.lookupFor ?? createDbLookup)(db);
          lookupDb = db;
        }
        let budget = maxLookups;
        for (const half of store.takeExpired(nowMs)) {
          if (budget > 0) {
            budget--;
            totals.lateLookups++;
            settleExpired(half, lookup, sink);
          } else {
            totals.lookupsSkipped++;
            settleExpired(half, null, sink);
          }
        }
        // A savepoint: a failed graph write rolls back only its own rows, never the caller's.
        if (!acc.isEmpty()) db.transaction(() => writeGraphRollups(db, acc))();
      } catch (err) {
        totals.flushErrors++;
        opts.onError?.("servicegraph: flush failed", err);
      } finally {
        // Rows that failed to write are dropped rather than retried forever (bounded memory).
        acc.clear();
      }
    },
    snapshot(): ServiceGraphSnapshot {
      const changed = metrics.takeChangedSeries();
      return {
        series: changed.series,
        seriesReset: changed.reset,
        overflowCalls: metrics.overflowCalls,
        pairing: {
          observed: store.totals.observed,
          paired: totals.paired,
          expired: totals.expired,
          dropped: totals.dropped,
          duplicates: store.totals.duplicates,
          unpairedClient: totals.unpairedClient,
          unpairedServer: totals.unpairedServer,
          virtual: totals.virtual,
          pending: store.pending,
          lateLookups: totals.lateLookups,
          lookupsSkipped: totals.lookupsSkipped,
          flushErrors: totals.flushErrors,
        },
      };
    },
  };
}
