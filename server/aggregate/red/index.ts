import "server-only";
export { createRedAggregator, minuteOf } from "./red-aggregator";
export * from "./sketch";
export {
  buildRedStats,
  errorRateOf,
  rateOf,
  latencyQuantiles,
  type RedStats,
  type LatencyQuantiles,
} from "./red-stats";
export { recoverAbandonedRed, type RedRecoveryStore, type RedRecoveryOptions } from "./red-recovery";
