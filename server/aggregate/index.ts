import "server-only";
export type { SpanAggregator, RollupSink } from "./types";
export * from "./red";
export { createAggregators } from "./create-aggregators";
export { CardinalityGuard, OVERFLOW_NAME, type CardinalityStats } from "./cardinality-guard";
export { openCardinalityGuard } from "./open-cardinality-guard";
