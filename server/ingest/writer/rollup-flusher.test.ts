import { describe, expect, it } from "vitest";
import type { SpanAggregator } from "../../aggregate";
import { announceWrittenRollups, onLateRollups, type LateRollupNotice } from "../../platform/late-rollups";
import type { EdgeMinuteRow, RedMinute, TelemetryStore } from "../../store";
import { createRollupFlusher } from "./rollup-flusher";

/** A store that keeps calls per minute (edges and RED alike), and an aggregator that writes `rows` at its next flush. */
function fixture() {
  const calls = new Map<number, number>();
  const add = (minute: number, n: number) => calls.set(minute, (calls.get(minute) ?? 0) + n);
  const store = {
    ingest: {},
    spans: {},
    rollups: { mergeRed: (rows: readonly RedMinute[]) => rows.forEach((r) => add(r.minute, r.count)) },
    graph: {
      mergeGraph: (b: { edges: readonly EdgeMinuteRow[] }) => b.edges.forEach((e) => add(e.minute, e.calls)),
      readEdgeFacts: async () => [],
    },
  } as unknown as TelemetryStore;
  const pending: { red: number[]; edges: number[]; completeness: number[] } = { red: [], edges: [], completeness: [] };
  const aggregators: SpanAggregator[] = [
    {
      name: "red",
      observe() {},
      flush(sink) {
        const rows = pending.red.splice(0).map((minute) => ({ minute, count: 1 }) as RedMinute);
        if (rows.length) return sink.rollups.mergeRed(rows, []);
      },
      snapshot: () => ({}),
    },
    {
      name: "graph",
      observe() {},
      async flush(sink) {
        // The graph aggregator reads the stored peers through the same sink: the store's other
        // methods must still be there (a failure throws through onError and fails the test).
        await sink.graph.readEdgeFacts();
        const edges = pending.edges.splice(0).map((minute) => ({ minute, calls: 1 }) as EdgeMinuteRow);
        const completeness = pending.completeness.splice(0).map((minute) => ({ minute }));
        if (edges.length || completeness.length)
          return sink.graph.mergeGraph({ edges, nodes: [], edgeFacts: [], completeness } as never);
      },
      snapshot: () => ({}),
    },
  ];
  const committed: (number | null)[] = [];
  const flusher = createRollupFlusher({
    store,
    aggregators,
    observe() {},
    appendInProgress: () => null,
    onError: (e) => {
      throw e;
    },
    afterFlush: async () => {},
    afterCommit(minute) {
      committed.push(minute);
      announceWrittenRollups(minute);
    },
  });
  return { calls, pending, committed, flusher };
}

describe("rollup flushes and the query threads' caches", () => {
  it("each commit reports the earliest minute any aggregator wrote (RED, edges, completeness), null when none", async () => {
    const { pending, committed, flusher, calls } = fixture();
    pending.red.push(5_000_105, 5_000_103);
    pending.edges.push(5_000_104);
    pending.completeness.push(5_000_102);
    await flusher.flush();
    pending.edges.push(5_000_110);
    await flusher.flush();
    await flusher.flush();
    expect(committed).toEqual([5_000_102, 5_000_110, null]);
    // The rows reached the store itself.
    expect([...calls.keys()].sort()).toEqual([5_000_103, 5_000_104, 5_000_105, 5_000_110]);
  });

  it("rows written for a settled minute are announced to the other threads, however late they come; newer ones are not", async () => {
    const { pending, flusher } = fixture();
    const heard: LateRollupNotice[] = [];
    const stop = onLateRollups((n) => heard.push(n));
    const nowMinute = Math.floor(Date.now() / 60_000);
    try {
      // A pairing wait ends: the writer flushes an edge for a minute the query threads may hold
      // cached; no span of that minute arrived late, the minute settled while its spans waited.
      pending.edges.push(nowMinute - 4);
      pending.red.push(nowMinute);
      await flusher.flush();
      // The notice crosses threads as a message: heard on the next turns of the event loop.
      await new Promise((r) => setTimeout(r, 50));
      expect(heard.map((n) => n.sinceMinute)).toEqual([nowMinute - 4]);
      // Only minutes no cache holds yet: nothing to announce.
      pending.red.push(nowMinute - 1);
      await flusher.flush();
      await new Promise((r) => setTimeout(r, 50));
      expect(heard).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
