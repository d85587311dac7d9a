import "server-only";
export { createRedAggregator, minuteOf } from "./red-aggregator";
export * from "./sketch";
