import "server-only";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "../platform/logger";
import type { ControlDb, ControlDbKind } from "../store";
import { decideLeaseStep, leaseTiming } from "./lease";

/**
 * Leader election for work that must run once per cluster: alert evaluation and notification
 * delivery here, cluster-wide retention or compaction of a shared telemetry store elsewhere.
 * On PostgreSQL the processes share one lease row (LeaderLease, through Prisma); the holder
 * renews it, and when it dies another takes over after the lease ran out. On SQLite the
 * control plane belongs to one process, which is the leader from the start.
 *
 * Jobs register with `runAsLeader(name, start, stop)`: `start` runs when this process becomes
 * leader (at once if it already is), `stop` when it stops being leader or shuts down; `stop`
 * should wait for work in flight. Writes that must not come from a deposed leader check
 * `fence()` inside their transaction (see assertFence).
 */
export interface Fence {
  name: string;
  holder: string;
  term: number;
}

export interface LeaderStatus {
  leader: boolean;
  /** Where the lease lives: `postgresql` (shared, elected) or `sqlite` (this process alone). */
  controlPlane: ControlDbKind;
  holder: string;
  /** Holder of the lease as last seen (this process when leader). */
  currentLeader: string | null;
  term: number;
  since: number | null;
  transitions: number;
  jobs: string[];
}

interface Job {
  name: string;
  start: () => void | Promise<void>;
  stop: () => void | Promise<void>;
}

export interface LeaderElectionOptions {
  db: ControlDb;
  kind: ControlDbKind;
  leaseMs: number;
  log: Logger;
  now?: () => number;
  /** Lease row name: processes sharing it elect one leader. */
  name?: string;
  holder?: string;
}

export class LeadershipLostError extends Error {
  constructor() {
    super("this process is no longer the leader: the write was not made");
  }
}

export class LeaderElection {
  readonly holder: string;
  private readonly name: string;
  private readonly now: () => number;
  private readonly jobs: Job[] = [];
  private leader = false;
  private term = 0;
  private since: number | null = null;
  private lastRenewedAt = 0;
  private seenLeader: string | null = null;
  private transitions = 0;
  private timer: NodeJS.Timeout | null = null;
  private stepping: Promise<void> | null = null;
  private stopped = false;
  private readonly timing;

  constructor(private readonly opts: LeaderElectionOptions) {
    this.name = opts.name ?? "cluster";
    this.holder = opts.holder ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.now = opts.now ?? Date.now;
    this.timing = leaseTiming(opts.leaseMs);
  }

  /** Registers a leader-only job (starts it now if this process leads). */
  async runAsLeader(name: string, start: () => void | Promise<void>, stop: () => void | Promise<void>): Promise<void> {
    const job = { name, start, stop };
    this.jobs.push(job);
    if (this.leader) await this.runJob(job, "start");
  }

  isLeader(): boolean {
    return this.leader;
  }

  /** What a fenced write checks: null when not leader, or on SQLite (one process, no contender). */
  fence(): Fence | null {
    if (!this.leader || this.opts.kind === "sqlite") return null;
    return { name: this.name, holder: this.holder, term: this.term };
  }

  status(): LeaderStatus {
    return {
      leader: this.leader,
      controlPlane: this.opts.kind,
      holder: this.holder,
      currentLeader: this.leader ? this.holder : this.seenLeader,
      term: this.term,
      since: this.since,
      transitions: this.transitions,
      jobs: this.jobs.map((j) => j.name),
    };
  }

  /** First election round (awaited), then the renewal loop. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.opts.kind === "sqlite") {
      await this.promote(1);
      return;
    }
    await this.step();
    this.schedule();
  }

  /** Stops leader jobs and hands the lease back, so a follower takes over at its next poll. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.stepping;
    if (!this.leader) return;
    await this.demote("shutting down");
    if (this.opts.kind === "postgresql") {
      await this.opts.db.leaderLease
        .updateMany({ where: { name: this.name, holder: this.holder }, data: { expiresAt: new Date(this.now()) } })
        .catch((e) => this.opts.log.warn("could not release the leader lease", { error: (e as Error).message }));
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.stepping = this.step().finally(() => {
        this.stepping = null;
        this.schedule();
      });
    }, this.timing.renewMs);
    this.timer.unref();
  }

  private async step(): Promise<void> {
    const now = this.now();
    try {
      await this.contend(now);
    } catch (e) {
      this.opts.log.warn("leader election: control database unreachable", { error: (e as Error).message });
      if (this.leader && now - this.lastRenewedAt >= this.timing.stepDownAfterMs)
        await this.demote("could not renew the lease");
    }
  }

  private async contend(now: number): Promise<void> {
    const lease = this.opts.db.leaderLease;
    const expiresAt = new Date(now + this.timing.leaseMs);
    if (this.leader) {
      const n = await lease.updateMany({
        where: { name: this.name, holder: this.holder, term: this.term },
        data: { expiresAt, renewedAt: new Date(now) },
      });
      if (n.count === 1) this.lastRenewedAt = now;
      else await this.demote("another process took the lease");
      return;
    }
    const row = await lease.findUnique({ where: { name: this.name } });
    const step = decideLeaseStep(
      row && { holder: row.holder, term: row.term, expiresAt: row.expiresAt.getTime() },
      this.holder,
      now,
    );
    if (step.kind === "follow") {
      this.seenLeader = step.holder;
      return;
    }
    if (step.kind === "create") {
      const created = await lease
        .create({
          data: {
            name: this.name,
            holder: this.holder,
            term: 1,
            expiresAt,
            acquiredAt: new Date(now),
            renewedAt: new Date(now),
          },
        })
        .then(
          () => true,
          () => false,
        ); // another process created it first: follow it
      if (created) await this.promote(1, now);
      return;
    }
    // "renew" while not leader (a restart with the same holder id) is a take-over too: a new term.
    const fromTerm = step.kind === "renew" ? step.term : step.fromTerm;
    const n = await lease.updateMany({
      where: {
        name: this.name,
        term: fromTerm,
        ...(step.kind === "take-over" ? { expiresAt: { lte: new Date(now) } } : {}),
      },
      data: { holder: this.holder, term: fromTerm + 1, expiresAt, acquiredAt: new Date(now), renewedAt: new Date(now) },
    });
    if (n.count === 1) await this.promote(fromTerm + 1, now);
  }

  private async promote(term: number, now = this.now()): Promise<void> {
    this.leader = true;
    this.term = term;
    this.since = now;
    this.lastRenewedAt = now;
    this.seenLeader = this.holder;
    this.transitions++;
    this.opts.log.info(
      `leader: this process leads (term ${term}); starting ${this.jobs.map((j) => j.name).join(", ") || "no jobs yet"}`,
    );
    for (const j of this.jobs) await this.runJob(j, "start");
  }

  private async demote(reason: string): Promise<void> {
    if (!this.leader) return;
    this.leader = false;
    this.since = null;
    this.seenLeader = null;
    this.transitions++;
    this.opts.log.warn(`leader: this process stopped leading (${reason})`);
    for (const j of [...this.jobs].reverse()) await this.runJob(j, "stop");
  }

  private async runJob(j: Job, what: "start" | "stop"): Promise<void> {
    try {
      await j[what]();
    } catch (e) {
      this.opts.log.error(`leader job ${j.name} failed to ${what}`, { error: (e as Error).message });
    }
  }
}

/** Inside a transaction: fails it unless `fence` still holds the lease (the row lock orders it before any take-over). */
export async function assertFence(tx: Pick<ControlDb, "leaderLease">, fence: Fence | null, now: number): Promise<void> {
  if (!fence) return;
  const n = await tx.leaderLease.updateMany({
    where: { name: fence.name, holder: fence.holder, term: fence.term },
    data: { renewedAt: new Date(now) },
  });
  if (n.count !== 1) throw new LeadershipLostError();
}
