import "server-only";

/**
 * Pure lease decisions for leader election (no I/O, `now` passed in). A lease row names its
 * holder, a term (grows at every change of holder) and an expiry the holder keeps pushing
 * forward. Anyone may take an expired lease; a compare-and-set on the term makes exactly one
 * of several contenders win.
 */
export interface LeaseRow {
  holder: string;
  term: number;
  expiresAt: number;
}

export type LeaseStep =
  | { kind: "create" }
  | { kind: "renew"; term: number }
  | { kind: "take-over"; fromTerm: number }
  | { kind: "follow"; holder: string; expiresAt: number };

export function decideLeaseStep(row: LeaseRow | null, me: string, now: number): LeaseStep {
  if (!row) return { kind: "create" };
  if (row.holder === me && row.expiresAt > now) return { kind: "renew", term: row.term };
  if (row.expiresAt <= now) return { kind: "take-over", fromTerm: row.term };
  return { kind: "follow", holder: row.holder, expiresAt: row.expiresAt };
}

/**
 * Timing of a lease: the holder renews every third of it; a follower polls as often, so a
 * dead leader is replaced at most `leaseMs + renewMs` after its last renewal. A holder that
 * cannot renew steps down once `leaseMs - renewMs` has passed since its last renewal, before
 * any other process may take the lease (clocks are assumed within `renewMs` of each other).
 */
export function leaseTiming(leaseMs: number): { leaseMs: number; renewMs: number; stepDownAfterMs: number } {
  const renewMs = Math.max(100, Math.floor(leaseMs / 3));
  return { leaseMs, renewMs, stepDownAfterMs: leaseMs - renewMs };
}

/** Default lease for an alert interval: failover (lease + renewal) fits inside one interval. */
export function defaultLeaseMs(alertIntervalMs: number): number {
  return Math.min(15_000, Math.max(1_000, Math.floor((alertIntervalMs * 2) / 3)));
}
