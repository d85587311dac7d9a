import "server-only";
import type { Span } from "../../normalize";
import type { GraphStore, RollupStore } from "../../store";
import { CardinalityGuard, OVERFLOW_NAME } from "../cardinality-guard";
import { PeerGuard } from "./peer-guard";

/**
 * The cardinality limits of the embedded store's streaming graph, applied to the leader's
 * pairing passes (cluster-pairing.ts), so a ClickHouse map folds what a SQLite map folds:
 * - services and environments: the writers fold them before aggregating (cardinality-guard.ts)
 *   and their RED catalog holds what they admitted; a pass admits a name the catalog holds, and
 *   a new one only while the catalog is under the limit (what a writer would do). Operation
 *   names stay (the graph keys nothing by them).
 * - peers: the same PeerGuard as the streaming aggregator, kept by the leader across passes
 *   (passes run in time order, as spans arrive on one instance), seeded from the stored graph
 *   when the leader starts, as the streaming aggregator is at its first flush.
 */
export interface PassGuards {
  peers: PeerGuard;
  /** The spans as the graph should see them (services and environments folded). */
  fold(spans: readonly Span[]): readonly Span[];
}

export interface PassGuardLimits {
  maxServices: number;
  maxEnvironments: number;
}

/**
 * A leader's peer guard (limit: maxServices, as the streaming aggregator's in
 * create-aggregators.ts) learns the stored peers first: a new leader must not admit a second set.
 */
export async function seedPeerGuard(peers: PeerGuard, graph: Pick<GraphStore, "readEdgeFacts">): Promise<PeerGuard> {
  peers.seed((await graph.readEdgeFacts()).flatMap((e) => [e.target, e.source]));
  return peers;
}

/** Guards for the passes due now: the service catalog is read again for every run. */
export async function openPassGuards(
  limits: PassGuardLimits,
  peers: PeerGuard,
  rollups: Pick<RollupStore, "listServices">,
): Promise<PassGuards> {
  const guard = new CardinalityGuard({
    maxServices: limits.maxServices,
    maxOperationsPerService: Number.MAX_SAFE_INTEGER,
    maxOperations: Number.MAX_SAFE_INTEGER,
    maxEnvironments: limits.maxEnvironments,
  });
  const entries = [...(await rollups.listServices())].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  // The overflow service is where folded names went, not a name the writers admitted.
  guard.seed(
    entries
      .filter((e) => e.name !== OVERFLOW_NAME)
      .map((e) => ({ service: e.name, environment: e.environment === OVERFLOW_NAME ? null : e.environment })),
  );
  return { peers, fold: (spans) => guard.fold(spans) };
}
