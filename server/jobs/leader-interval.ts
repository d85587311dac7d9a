import "server-only";
import type { Logger } from "../platform/logger";

/** The part of the leader election a leader-only job needs (server/control's LeaderElection). */
export interface LeaderJobs {
  runAsLeader(name: string, start: () => void | Promise<void>, stop: () => void | Promise<void>): Promise<void>;
}

/**
 * Runs `run` every `intervalMs` while this process is the elected leader, once at once when it
 * becomes leader. Runs never overlap; stopping (demotion or shutdown) waits for the run in
 * flight, so a deposed leader's last run has ended before the next leader's first begins
 * (within the lease: the work itself must stay correct if both ever run, see each job).
 * A failing run is logged and retried at the next interval.
 */
export function runEveryAsLeader(
  leader: LeaderJobs,
  name: string,
  intervalMs: number,
  run: () => Promise<unknown>,
  log: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let active = false;
  const tick = () => {
    inFlight = run()
      .then(
        () => undefined,
        (e: unknown) => log.warn(`${name} failed; retried in ${intervalMs} ms`, { error: (e as Error).message }),
      )
      .finally(() => {
        inFlight = null;
        if (active) timer = setTimeout(tick, intervalMs).unref();
      });
  };
  return leader.runAsLeader(
    name,
    () => {
      active = true;
      tick();
    },
    async () => {
      active = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await inFlight;
    },
  );
}
