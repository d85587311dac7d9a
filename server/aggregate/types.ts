import "server-only";
import type { Span } from "../normalize";
import type { Awaitable, TelemetryStore } from "../store";

/** What an aggregation writes to and reads stored spans from (the writer's store). */
export type RollupSink = Pick<TelemetryStore, "rollups" | "graph" | "spans">;

/**
 * An in-memory, incremental aggregation that runs inside the writer thread.
 * Contract: `observe` sees each stored span exactly once (duplicates that the store ignored
 * are not passed), after the spans' append committed; it must not throw for any input
 * (count and skip what it cannot use) and must keep its memory bounded. `flush` hands what
 * accumulated to the store, which merges it into the stored rollups (merge-only: a flush
 * never overwrites); it is called every rollup interval and at shutdown, never twice at
 * once. `snapshot` returns plain, structured-cloneable counters that the main thread turns
 * into /metrics.
 */
export interface SpanAggregator {
  readonly name: string;
  observe(spans: readonly Span[], nowMs: number): void;
  flush(store: RollupSink, nowMs: number): Awaitable<void>;
  /**
   * State that must outlive a clean stop (work waiting on spans yet to come), serialized after
   * the last flush; null when there is none. Saved with that flush, given back once to
   * `resume` at the next start before any span is observed.
   */
  suspend?(): string | null;
  resume?(state: string): void;
  snapshot(): Record<string, unknown>;
}
