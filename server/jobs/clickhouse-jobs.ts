import "server-only";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import type { ClickHouseStore } from "../store";
import {
  LatePassScanner,
  openPassGuards,
  PeerGuard,
  runDuePairingPasses,
  runEarlyPairingPasses,
  seedPeerGuard,
  type PassGuardLimits,
} from "../aggregate/servicegraph";
import { recoverAbandonedRed } from "../aggregate";
import { runEveryAsLeader, type LeaderJobs } from "./leader-interval";

/** How often the leader looks for killed writers' RED, and how long a writer is silent before it counts as gone (it heartbeats every 5 s while it holds unflushed RED). */
const RED_RECOVERY_INTERVAL_MS = 5_000;
const WRITER_SILENT_S = 20;

/**
 * The work a ClickHouse-backed cluster does once, on the elected leader (with the SQLite
 * control plane this process is always the leader):
 * - pairing passes: the service graph from every instance's spans, one closed window at a time
 *   (see cluster-pairing-job.ts in the servicegraph stage; a pass repeated by a second leader
 *   changes nothing, readers keep one attempt per pass): first the windows whose traces got
 *   spans after their pass (late-passes.ts), then the final passes of windows the pairing wait
 *   has closed, then early passes of the windows closed since (what pairs already shows at
 *   once), then the hour compaction of every hour the passes have closed (the hour rollups that
 *   long windows read);
 * - RED recovery: the RED of writers killed between two rollup flushes, aggregated again from
 *   their stored spans (red-recovery.ts in the aggregate stage; the store's rollup-epochs.ts
 *   explains why a late flush of a writer taken for gone still counts once);
 * - retention: whole day partitions past the raw / rollup ages dropped on every node (dropping
 *   a partition already gone is a no-op, so a repeated run is harmless), then, with
 *   CARTOGRAPH_DISK_BUDGET_BYTES, the oldest days while the database is over the budget.
 * The instances' own streaming graph flush is not stored on ClickHouse (the store ignores it).
 */
export async function startClickHouseJobs(deps: {
  config: Config;
  log: Logger;
  leader: LeaderJobs;
  store: ClickHouseStore;
  now?: () => number;
}): Promise<{ peerStats: () => { known: number; foldedCalls: number } }> {
  const { config, log, leader, store } = deps;
  const now = deps.now ?? Date.now;
  const stepMs = config.CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS;
  const rawMs = config.CARTOGRAPH_RETENTION_RAW_HOURS * 3_600_000;
  const rollupMs = config.CARTOGRAPH_RETENTION_ROLLUP_HOURS * 3_600_000;
  // A window is paired once the pairing wait and one more step have passed since it closed:
  // the exporters' batching delay lands late halves inside that margin.
  const settleMs = config.CARTOGRAPH_PAIRING_WAIT_MS + stepMs;
  // The map folds names past the cardinality limits as the embedded store's does (pass-guards.ts).
  const limits: PassGuardLimits = {
    maxServices: config.CARTOGRAPH_MAX_SERVICES,
    maxEnvironments: config.CARTOGRAPH_MAX_ENVIRONMENTS,
  };
  const peers = new PeerGuard(limits.maxServices);
  // Seeded from the stored graph on every run: a process that leads again after another did
  // first learns the peers that one admitted.
  const guards = async () => openPassGuards(limits, await seedPeerGuard(peers, store.graph), store.rollups);
  const late = new LatePassScanner();
  await runEveryAsLeader(
    leader,
    "clickhouse-pairing",
    stepMs,
    async () => {
      const t = now();
      const first = await store.readFirstSpanMs();
      if (first === null) return;
      const again = await late.run(store, { stepMs, nowMs: t, guards });
      if (again.passed.length > 0)
        log.debug(`clickhouse pairing: ${again.passed.length} window(s) paired again after late spans`);
      if (again.failed.length > 0)
        log.warn(`clickhouse pairing: ${again.failed.length} late window(s) failed to pair again; retried next run`, {
          error: again.error,
          waiting: again.waiting,
        });
      const o = { stepMs, settleMs, nowMs: t, startMs: Math.max(first, t - rawMs), guards };
      const ran = await runDuePairingPasses(store, o);
      if (ran > 0) log.debug(`clickhouse pairing: ${ran} pass(es) committed`);
      const early = await runEarlyPairingPasses(store, { ...o, delayMs: stepMs });
      if (early > 0) log.debug(`clickhouse pairing: ${early} early pass(es) committed`);
      // Hours the watermark has passed get their hour rollups (done once; repeats are harmless).
      const hours = await store.compactGraphHours(stepMs, t);
      if (hours.length > 0) log.debug(`clickhouse graph: ${hours.length} hour(s) compacted`);
      // Then the closed minutes' pass rows, one row per edge and minute (what keeps recent windows cheap).
      const minutes = await store.compactGraphMinutes(stepMs, t);
      if (minutes.length > 0) log.debug(`clickhouse graph: ${minutes.length} minute(s) merged`);
    },
    log,
  );
  await runEveryAsLeader(
    leader,
    "clickhouse-red-recovery",
    RED_RECOVERY_INTERVAL_MS,
    async () => {
      const n = await recoverAbandonedRed(store, { silentS: WRITER_SILENT_S, nowMs: now(), folder: guards });
      if (n > 0) log.info(`clickhouse RED: ${n} flush epoch(s) of stopped writers recovered from stored spans`);
    },
    log,
  );
  await runEveryAsLeader(
    leader,
    "clickhouse-retention",
    config.CARTOGRAPH_RETENTION_INTERVAL_MS,
    async () => {
      const t = now();
      const dropped = await store.dropExpired(t - rawMs, t - rollupMs);
      if (dropped.length > 0)
        log.info(`clickhouse retention: dropped ${dropped.length} partition(s)`, {
          partitions: dropped.slice(0, 20).join(" "),
        });
      const budget = config.CARTOGRAPH_DISK_BUDGET_BYTES;
      if (budget > 0) {
        const r = await store.dropOverBudget(budget, t);
        if (r.dropped.length > 0)
          log.info(`clickhouse disk budget: dropped ${r.dropped.length} partition(s)`, {
            partitions: r.dropped.slice(0, 20).join(" "),
            usedBytes: r.usedBytes,
          });
        if (r.overBudget)
          log.warn("clickhouse disk budget: still over it with only the current day left (the current day is kept)", {
            usedBytes: r.usedBytes,
            budgetBytes: budget,
          });
      }
    },
    log,
  );
  // The map's peer counts (this process's passes: zero while another instance leads).
  return { peerStats: () => ({ known: peers.size, foldedCalls: peers.folded }) };
}
