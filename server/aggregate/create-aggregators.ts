import "server-only";
import type { Config } from "../platform/config";
import type { Db } from "../store";
import { createRedAggregator } from "./red";
import type { SpanAggregator } from "./types";

/** Every aggregation the writer thread runs over newly stored spans. */
export function createAggregators(config: Config, db: Db): SpanAggregator[] {
  void config;
  void db;
  return [createRedAggregator()];
}
