import "server-only";
import type { SpanAggregator } from "../../aggregate";
import type { Span } from "../../normalize";
import type { TelemetryStore } from "../../store";
import { withSpan } from "../../platform/self-tracing";
import { minuteWatchingSink } from "./minute-watching-sink";

/** Most spans read back per step of the start's replay, and in all (older ones are skipped). */
const REPLAY_CHUNK = 50_000;
const REPLAY_MAX = 2_000_000;

export interface RollupFlusherOptions {
  store: TelemetryStore;
  aggregators: readonly SpanAggregator[];
  /** Aggregates stored spans: the path fresh appends take. */
  observe(spans: Span[], nowMs: number): void;
  /** The append in progress, if any: a flush starts once it has been aggregated. */
  appendInProgress(): Promise<void> | null;
  /** A failed flush (`aggregator` names the one that failed, else the whole flush failed). */
  onError(e: unknown, aggregator?: string): void;
  /** After every flush (stats for /metrics). */
  afterFlush(): Promise<void>;
  /**
   * After a flush's rollups are committed (or failed): `earliestMinute` is the earliest epoch
   * minute of the rows it wrote, null when none (the query threads' caches hear about old ones).
   */
  afterCommit?(earliestMinute: number | null): void;
}

/**
 * The writer's rollup flushes. Never two at once, never beside an append (appends wait for
 * `inProgress()`): with the store's rollup journal a flush commits together with the mark of
 * the last block it covers, and `replay` aggregates again, at start, the spans a kill left
 * after that mark, so the map and RED lose nothing acknowledged.
 */
export function createRollupFlusher(o: RollupFlusherOptions) {
  let running: Promise<void> | null = null;
  const journal = o.store.ingest.rollupJournal;
  const written = minuteWatchingSink(o.store);

  async function writeRollups(): Promise<void> {
    const now = Date.now();
    for (const a of o.aggregators) {
      try {
        await a.flush(written.sink, now);
      } catch (e) {
        o.onError(e, a.name);
      }
    }
    await o.afterFlush();
  }

  function suspendAggregators(): Map<string, string> {
    const states = new Map<string, string>();
    for (const a of o.aggregators) {
      const state = a.suspend?.() ?? null;
      if (state !== null) states.set(a.name, state);
    }
    return states;
  }

  return {
    inProgress: () => running,

    /** `final`: the last flush before a clean stop; it also saves what the aggregators still hold. */
    flush(final = false): Promise<void> {
      running ??= (async () => {
        for (let append = o.appendInProgress(); append; append = o.appendInProgress()) await append;
        await withSpan(
          "rollup.flush",
          { "cartograph.aggregators": o.aggregators.length },
          () =>
            journal
              ? journal
                  .flushAtomically(writeRollups, undefined, final ? suspendAggregators : undefined)
                  .catch((e) => o.onError(e))
              : writeRollups(),
          { root: true },
        );
        o.afterCommit?.(written.takeEarliest());
      })().finally(() => {
        running = null;
      });
      return running;
    },

    /** Gives the aggregators what they saved at the last clean stop; call before any span is observed. */
    async resume(): Promise<void> {
      if (!journal) return;
      const states = await journal.takeStates();
      for (const a of o.aggregators) {
        const state = states.get(a.name);
        if (state !== undefined) a.resume?.(state);
      }
    },

    /** Spans aggregated again (0 without a journal, or after a clean stop). */
    async replay(): Promise<number> {
      if (!journal) return 0;
      let replayed = 0;
      for (;;) {
        const chunk = await journal.readUnaggregated(REPLAY_CHUNK);
        o.observe(chunk.spans, Date.now());
        replayed += chunk.spans.length;
        const last = !chunk.more || replayed >= REPLAY_MAX;
        // The last step marks everything appended so far (spans past REPLAY_MAX are skipped).
        await journal.flushAtomically(writeRollups, last ? undefined : chunk.through);
        o.afterCommit?.(written.takeEarliest());
        if (last) return replayed;
      }
    },
  };
}
