import "server-only";
import type { Config } from "../../platform/config";

/** What the ClickHouse store needs to connect; built from the validated config (or by tests). */
export interface ClickHouseSettings {
  /** HTTP URLs of the nodes; reads and inserts use the first, schema DDL runs on each when clustered. */
  urls: string[];
  database: string;
  user: string;
  password: string;
  /** remote_servers cluster name, or null for one node. */
  cluster: string | null;
}

export function clickHouseSettingsFrom(config: Config): ClickHouseSettings {
  if (!config.CARTOGRAPH_CLICKHOUSE_URL) throw new Error("CARTOGRAPH_CLICKHOUSE_URL is not set");
  return {
    urls: config.CARTOGRAPH_CLICKHOUSE_URL.split(",").map((u) => u.trim().replace(/\/$/, "")),
    database: config.CARTOGRAPH_CLICKHOUSE_DATABASE,
    user: config.CARTOGRAPH_CLICKHOUSE_USER,
    password: config.CARTOGRAPH_CLICKHOUSE_PASSWORD,
    cluster: config.CARTOGRAPH_CLICKHOUSE_CLUSTER ?? null,
  };
}
