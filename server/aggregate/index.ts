import "server-only";
export type { SpanAggregator, RollupSink } from "./types";
export * from "./red";
export { createAggregators } from "./create-aggregators";
