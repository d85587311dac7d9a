import "server-only";
import type client from "prom-client";
import { registerCounterFn, registerGaugeFn } from "../platform/self-metrics";
import type { LeaderElection } from "./leader";

/** `cartograph_leader` is 1 on the one process running the cluster's singleton jobs. */
export function registerLeaderMetrics(registry: client.Registry, election: LeaderElection): void {
  registerGaugeFn(
    registry,
    "cartograph_leader",
    "1 when this process is the elected leader (runs alert evaluation and other once-per-cluster jobs).",
    () => (election.isLeader() ? 1 : 0),
  );
  registerGaugeFn(
    registry,
    "cartograph_leader_term",
    "Lease term this process leads under (0 when it does not lead).",
    () => (election.isLeader() ? election.status().term : 0),
  );
  registerCounterFn(
    registry,
    "cartograph_leader_transitions_total",
    "Times this process became or stopped being the leader.",
    () => election.status().transitions,
  );
}
