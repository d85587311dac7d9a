import "server-only";
export type { SpanAggregator } from "./types";
export * from "./red";
export { createAggregators } from "./create-aggregators";
