import "server-only";
import type { Span } from "../normalize";
import type { Db } from "../store";

/**
 * An in-memory, incremental aggregation that runs inside the writer thread.
 * Contract: `observe` sees each stored span exactly once (duplicates that the store ignored
 * are not passed), after the spans' transaction committed; it must not throw for any input
 * (count and skip what it cannot use) and must keep its memory bounded. `flush` writes the
 * aggregation's rows with `db` (the writer connection, inside a transaction the caller
 * opened) and is called every rollup interval and at shutdown. `snapshot` returns plain,
 * structured-cloneable counters that the main thread turns into /metrics.
 */
export interface SpanAggregator {
  readonly name: string;
  observe(spans: readonly Span[], nowMs: number): void;
  flush(db: Db, nowMs: number): void;
  snapshot(): Record<string, unknown>;
}
