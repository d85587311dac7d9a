import "server-only";
import { announceLateRollups } from "../../platform/late-rollups";
import { computeGraphPass } from "./cluster-pairing";
import type { LateWindow } from "../../store";
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
  /** Windows left by earlier runs, whichever leader ran them (late-windows.ts). */
  readLateWindows(stepMs: number, fromMs: number): Promise<LateWindow[]>;
  noteLateWindows(stepMs: number, windows: readonly number[]): Promise<void>;
  settleLateWindows(stepMs: number, windows: readonly LateWindow[]): Promise<void>;
}

/**
 * Arrival stamps are whole seconds taken when an insert starts, and its rows become visible when
 * it commits: each scan reads again this far before the last one (a run over the same spans is
 * harmless, its rows equal the last run's).
 */
const MARGIN_S = 10;
/** Arrival rows read per scan; the next scan continues after the last one read. */
const MAX_ARRIVALS = 20_000;
/** A run stops passing after this many failed passes (ClickHouse away): the rest wait, stored. */
const MAX_FAILURES = 3;
/** Windows older than this are not paired again: a day, the longest window the map reads by minutes. */
export const LATE_HORIZON_MS = 24 * 3_600_000;

export interface LatePassOptions {
  stepMs: number;
  nowMs: number;
  /** Most passes per run; windows left over run in the next ones. */
  maxPasses?: number;
  guards?: () => Promise<PassGuards>;
}

export interface LatePassRun {
  /** Windows paired again, oldest first. */
  passed: number[];
  /** Windows whose pass failed (they wait, stored, for a later run) and the first error. */
  failed: number[];
  error?: string;
  /** Windows left for later runs (past the cap, or failed), stored in the telemetry store. */
  waiting: number;
}

/**
 * Pairs again the windows whose traces got spans stored after the window's pass (the leader's;
 * one per process). Each run reads the traces stored since the last scan (ClickHouse clock),
 * and passes again every window already passed (early or final) that holds one of their spans:
 * a late server half pairs with a client half passed long ago, in the client's window. Final
 * windows stay final; the merged minutes and compacted hours they fall in are merged again.
 * Cost is bounded: at most MAX_ARRIVALS arrival rows and `maxPasses` passes a run, windows within
 * LATE_HORIZON_MS only (older late spans are stored but leave the graph as it was).
 *
 * Nothing a run found is kept only in memory: windows past the cap or whose pass failed are
 * stored (late-windows.ts) before the scan mark moves past their arrivals, and every run pairs
 * the stored ones with what it found, so a new leader (or a restarted process) continues them.
 * Two leaders racing pair some windows twice, which changes nothing (a run that read as many
 * spans replaces the other's, graph-io.ts).
 */
export class LatePassScanner {
  private mark: number | null = null;

  async run(store: LateArrivalStore, o: LatePassOptions): Promise<LatePassRun> {
    const clock = await store.readStoreClock();
    // Another leader may have scanned since this process last did: the later mark wins.
    const marks = [this.mark, await store.readLateScanMark()].filter((m): m is number => m !== null);
    const since = marks.length > 0 ? Math.max(...marks) : clock;
    const passed = await store.readPairingWatermark(o.stepMs, true);
    if (passed === null) {
      // Nothing paired yet, so nothing to pair again; a leader taking over continues from here.
      await this.advance(store, clock);
      return { passed: [], failed: [], waiting: 0 };
    }
    const from = since - MARGIN_S;
    const arrived = await store.listArrivedTraces(from, MAX_ARRIVALS);
    const horizon = Math.max(0, o.nowMs - LATE_HORIZON_MS);
    const found = await store.windowsOfTraces(arrived.traceIds, o.stepMs, horizon, passed);
    const stored = new Map((await store.readLateWindows(o.stepMs, horizon)).map((w) => [w.windowMs, w]));
    const due = [...new Set([...found, ...stored.keys()])].sort((a, b) => a - b);
    const run = due.slice(0, o.maxPasses ?? 360);
    const final = (await store.readPairingWatermark(o.stepMs)) ?? -Infinity;
    const ok: number[] = [];
    const failed: number[] = [];
    let error: string | undefined;
    let guards: PassGuards | undefined;
    for (const w of run) {
      if (failed.length >= MAX_FAILURES) break;
      try {
        if (o.guards) guards ??= await o.guards();
        const isFinal = w < final;
        await store.writeGraphPass(await computeGraphPass(store, w, w + o.stepMs, guards, isFinal), o.nowMs);
        ok.push(w);
      } catch (e) {
        failed.push(w);
        error ??= e instanceof Error ? e.message : String(e);
      }
    }
    await store.recompactWindows(
      ok.filter((w) => w < final),
      o.stepMs,
      o.nowMs,
    );
    // This process's query threads drop the cached blocks these windows changed.
    if (ok.length > 0) announceLateRollups(Math.floor(ok[0]! / 60_000));
    // What is left is stored before the mark moves past its arrivals; what was paired is settled.
    const paired = new Set(ok);
    const left = due.filter((w) => !paired.has(w));
    await store.noteLateWindows(
      o.stepMs,
      left.filter((w) => !stored.has(w)),
    );
    await store.settleLateWindows(
      o.stepMs,
      ok.flatMap((w) => stored.get(w) ?? []),
    );
    // A full page of arrivals: continue from its last stamp (at least one second on), else from now.
    await this.advance(store, arrived.throughS !== null ? Math.max(arrived.throughS, from + 1) + MARGIN_S : clock);
    return { passed: ok, failed, error, waiting: left.length };
  }

  private async advance(store: LateArrivalStore, next: number): Promise<void> {
    if (next !== this.mark) await store.writeLateScanMark(next);
    this.mark = next;
  }
}
