import "server-only";
import type { GraphPass } from "../../store";
import { announceLateRollups } from "../../platform/late-rollups";
import { computeGraphPass, type ClusterPairingSource } from "./cluster-pairing";
import type { PassGuards } from "./pass-guards";

export interface ClusterGraphStore extends ClusterPairingSource {
  /** End of the last final pass window; `early`: of any pass. */
  readPairingWatermark(stepMs: number, early?: boolean): Promise<number | null>;
  writeGraphPass(pass: GraphPass, nowMs: number): Promise<void>;
}

export interface PairingPassOptions {
  /** Width of a pass (CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS). */
  stepMs: number;
  /** A window is closed once this long has passed since its end: the pairing wait plus ingest lag. */
  settleMs: number;
  nowMs: number;
  /** Where to start when no pass ran yet (e.g. now minus raw retention, or the first stored span). */
  startMs: number;
  /** Most passes per call (bounds one catch-up run). */
  maxPasses?: number;
  /** The cardinality guards of this run (pass-guards.ts), opened only when a pass is due. */
  guards?: () => Promise<PassGuards>;
}

/**
 * Runs the pairing passes that are due, oldest first, and returns how many ran. The watermark
 * is the last committed pass, read from the store each time, so a new leader continues where
 * the old one stopped and a pass cut short by a crash is simply run again (its uncommitted rows
 * are never read). Call it on the elected leader only; a second runner would not double count
 * (readers keep one attempt per pass) but would do the work twice.
 */
export async function runDuePairingPasses(store: ClusterGraphStore, o: PairingPassOptions): Promise<number> {
  const wm = await store.readPairingWatermark(o.stepMs);
  let from = wm ?? Math.floor(o.startMs / o.stepMs) * o.stepMs;
  let ran = 0;
  const max = o.maxPasses ?? 360;
  let guards: PassGuards | undefined;
  const first = from;
  while (from + o.stepMs + o.settleMs <= o.nowMs && ran < max) {
    if (o.guards) guards ??= await o.guards();
    const pass = await computeGraphPass(store, from, from + o.stepMs, guards);
    await store.writeGraphPass(pass, o.nowMs);
    from += o.stepMs;
    ran++;
  }
  // Passes catching up write minutes this process's query threads may have cached.
  if (ran > 0) announceLateRollups(Math.floor(first / 60_000));
  return ran;
}

/**
 * Early passes: every window closed for `delayMs` (one step: the exporters' batching delay) but
 * not yet due for its final pass gets one pass, which keeps what pairs already (calls whose two
 * halves are stored, database and queue clients), so those edges show within seconds instead of
 * after the pairing wait. Unanswered halves wait for the final pass, which replaces the early
 * one; spans stored after the early pass bring its window back (late-passes.ts). Call after the
 * due final passes. Returns how many ran.
 */
export async function runEarlyPairingPasses(
  store: ClusterGraphStore,
  o: PairingPassOptions & { delayMs: number },
): Promise<number> {
  const early = await store.readPairingWatermark(o.stepMs, true);
  // The first window not yet due for its final pass: the final passes own the ones before it.
  const notDue = (Math.floor((o.nowMs - o.settleMs - o.stepMs) / o.stepMs) + 1) * o.stepMs;
  let from = Math.max(early ?? Math.floor(o.startMs / o.stepMs) * o.stepMs, notDue);
  let ran = 0;
  const max = o.maxPasses ?? 360;
  let guards: PassGuards | undefined;
  while (from + o.stepMs + o.delayMs <= o.nowMs && from + o.stepMs + o.settleMs > o.nowMs && ran < max) {
    if (o.guards) guards ??= await o.guards();
    await store.writeGraphPass(await computeGraphPass(store, from, from + o.stepMs, guards, false), o.nowMs);
    from += o.stepMs;
    ran++;
  }
  return ran;
}
