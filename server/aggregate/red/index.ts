import "server-only";
export { createRedAggregator, minuteOf } from "./red-aggregator";
export * from "./sketch";
export { buildRedStats, type RedStats } from "./red-stats";
