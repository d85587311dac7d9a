import "server-only";
export { createRedAggregator, minuteOf } from "./red-aggregator";
export * from "./sketch";
export { buildRedStats, type RedStats } from "./red-stats";
export { RedBuffer, type RedCellRow, type ServiceSeenRow } from "./red-cells";
