import "server-only";
import type { Config } from "../platform/config";
import { createRedAggregator } from "./red";
import { createServiceGraphAggregator } from "./servicegraph";
import type { SpanAggregator } from "./types";

/** Every aggregation the writer thread runs over newly stored spans. */
export function createAggregators(config: Config): SpanAggregator[] {
  return [
    createRedAggregator(),
    createServiceGraphAggregator({
      waitMs: config.CARTOGRAPH_PAIRING_WAIT_MS,
      maxItems: config.CARTOGRAPH_PAIRING_MAX_ITEMS,
      maxPeers: config.CARTOGRAPH_MAX_SERVICES,
      onError: (message, err) => console.error(`${message}: ${(err as Error)?.stack ?? String(err)}`),
    }),
  ];
}
