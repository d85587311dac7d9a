import "server-only";
import type { RollupSink } from "../../aggregate";

/**
 * The store as the aggregators see it during a flush, noting the earliest minute of the rollup
 * rows handed to it (RED minutes, edge minutes, completeness). The writer tells the query
 * threads' block caches about that minute after the commit when it is old enough to be cached
 * (late-rollups.ts): exactly the minutes written, whatever made them late (spans minutes late, a
 * pairing wait that ended after the minute settled, a busy writer flushing late).
 */
export function minuteWatchingSink(store: RollupSink): { sink: RollupSink; takeEarliest(): number | null } {
  let earliest = Infinity;
  const note = (rows: readonly { minute: number }[]) => {
    for (const r of rows) if (r.minute < earliest) earliest = r.minute;
  };
  const sink: RollupSink = {
    spans: store.spans,
    rollups: {
      ...store.rollups,
      mergeRed(rows, services) {
        note(rows);
        return store.rollups.mergeRed(rows, services);
      },
    },
    graph: {
      ...store.graph,
      mergeGraph(batch) {
        note(batch.edges);
        note(batch.completeness);
        return store.graph.mergeGraph(batch);
      },
    },
  };
  return {
    sink,
    /** The earliest minute noted since the last call (null: no rows), and starts over. */
    takeEarliest() {
      const m = earliest;
      earliest = Infinity;
      return Number.isFinite(m) ? m : null;
    },
  };
}
