import "server-only";
import { announceLateRollups } from "../../platform/late-rollups";
import { computeGraphPass } from "./cluster-pairing";
import type { ClusterGraphStore } from "./cluster-pairing-job";
import type { PassGuards } from "./pass-guards";

/** What the leader needs to find spans stored after their window's pass (store: late-arrivals.ts). */
export interface LateArrivalStore extends ClusterGraphStore {
  readStoreClock(): Promise<number>;
  readLateScanMark(): Promise<number | null>;
  writeLateScanMark(seconds: number): Promise<void>;
  /** `throughS`: the last stamp read when the page was full (more may follow), else null. */
  listArrivedTraces(sinceS: number, limit: number): Promise<{ traceIds: string[]; throughS: number | null }>;
  windowsOfTraces(traceIds: readonly string[], stepMs: number, fromMs: number, toMs: number): Promise<number[]>;
  recompactWindows(windows: readonly number[], stepMs: number, nowMs: number): Promise<unknown>;
}

/**
 * Arrival stamps are whole seconds taken when an insert starts, and its rows become visible when
 * it commits: each scan reads again this far before the last one (a run over the same spans is
 * harmless, its rows equal the last run's).
 */
const MARGIN_S = 10;
/** Arrival rows read per scan; the next scan continues after the last one read. */
const MAX_ARRIVALS = 20_000;
/** Windows older than this are not paired again: a day, the longest window the map reads by minutes. */
export const LATE_HORIZON_MS = 24 * 3_600_000;

export interface LatePassOptions {
  stepMs: number;
  nowMs: number;
  /** Most passes per run; windows left over run in the next ones. */
  maxPasses?: number;
  guards?: () => Promise<PassGuards>;
}

/**
 * Pairs again the windows whose traces got spans stored after the window's pass (the leader's;
 * one per process). Each run reads the traces stored since the last scan (ClickHouse clock),
 * and passes again every window already passed (early or final) that holds one of their spans:
 * a late server half pairs with a client half passed long ago, in the client's window. Final
 * windows stay final; the merged minutes and compacted hours they fall in are merged again.
 * Cost is bounded: at most MAX_ARRIVALS arrival rows and `maxPasses` passes a run, windows within
 * LATE_HORIZON_MS only (older late spans are stored but leave the graph as it was).
 */
export class LatePassScanner {
  private mark: number | null = null;
  private readonly pending = new Set<number>();

  /** Returns the windows paired again. */
  async run(store: LateArrivalStore, o: LatePassOptions): Promise<number[]> {
    const clock = await store.readStoreClock();
    const since = this.mark ?? (await store.readLateScanMark()) ?? clock;
    const passed = await store.readPairingWatermark(o.stepMs, true);
    if (passed === null) {
      this.mark = clock;
      return [];
    }
    const from = since - MARGIN_S;
    const arrived = await store.listArrivedTraces(from, MAX_ARRIVALS);
    const horizon = Math.max(0, o.nowMs - LATE_HORIZON_MS);
    for (const w of await store.windowsOfTraces(arrived.traceIds, o.stepMs, horizon, passed)) this.pending.add(w);
    const due = [...this.pending].filter((w) => w >= horizon).sort((a, b) => a - b);
    const run = due.slice(0, o.maxPasses ?? 360);
    const final = (await store.readPairingWatermark(o.stepMs)) ?? -Infinity;
    let guards: PassGuards | undefined;
    for (const w of run) {
      if (o.guards) guards ??= await o.guards();
      const isFinal = w < final;
      await store.writeGraphPass(await computeGraphPass(store, w, w + o.stepMs, guards, isFinal), o.nowMs);
    }
    this.pending.clear();
    for (const w of due.slice(run.length)) this.pending.add(w);
    await store.recompactWindows(
      run.filter((w) => w < final),
      o.stepMs,
      o.nowMs,
    );
    // This process's query threads drop the cached blocks these windows changed.
    if (run.length > 0) announceLateRollups(Math.floor(run[0]! / 60_000));
    // A full page of arrivals: continue from its last stamp (at least one second on), else from now.
    const next = arrived.throughS !== null ? Math.max(arrived.throughS, from + 1) + MARGIN_S : clock;
    if (next !== this.mark) await store.writeLateScanMark(next);
    this.mark = next;
    return run;
  }
}
