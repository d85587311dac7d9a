import "server-only";
import type { Config } from "../platform/config";
import type { RollupStore } from "../store";
import { CardinalityGuard } from "./cardinality-guard";

/** Operations of this many services are looked up per step of the background seeding. */
const SEED_STEP = 50;

/**
 * The writer's cardinality guard, seeded with the store's catalog (most recently seen
 * services first) so a restart does not admit a second set of new names. Services are
 * seeded before it is returned; their operations are read in the background in small steps
 * (until a service's step is read, its stored operations are not yet known, so names the
 * limit would fold may be admitted once: a restart can at most double a service's operations).
 */
export async function openCardinalityGuard(
  config: Config,
  rollups: Pick<RollupStore, "listServices" | "listOperations">,
  onError: (err: unknown) => void,
): Promise<CardinalityGuard> {
  const guard = new CardinalityGuard({
    maxServices: config.CARTOGRAPH_MAX_SERVICES,
    maxOperationsPerService: config.CARTOGRAPH_MAX_OPERATIONS_PER_SERVICE,
    maxOperations: config.CARTOGRAPH_MAX_SERVICES * 100,
    maxEnvironments: config.CARTOGRAPH_MAX_ENVIRONMENTS,
  });
  const entries = [...(await rollups.listServices())].sort((a, b) => b.lastSeenMs - a.lastSeenMs);
  guard.seed(entries.map((e) => ({ service: e.name, environment: e.environment })));
  const names = [...new Set(entries.map((e) => e.name))].slice(0, config.CARTOGRAPH_MAX_SERVICES);
  void (async () => {
    for (let i = 0; i < names.length; i += SEED_STEP) {
      const step = names.slice(i, i + SEED_STEP);
      const lists = await Promise.all(step.map((s) => rollups.listOperations(s)));
      guard.seed(step.map((service, j) => ({ service, operations: lists[j].map((o) => o.operation) })));
    }
  })().catch(onError);
  return guard;
}
