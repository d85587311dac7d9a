import "server-only";
import type { Config } from "../platform/config";
import type { TelemetryReader, TelemetryStore } from "./telemetry-store";
import { openClickHouseFromConfig } from "./clickhouse/store";
import { openSqliteStore } from "./sqlite/sqlite-store";

/** Which side a thread opens: the writer thread writes, query threads and the main thread read. */
export type StoreRole = "writer" | "reader";

/**
 * Opens the telemetry store CARTOGRAPH_STORE names. The writer role gets the full store
 * (appends, aggregation flushes, retention); the reader role the read side only. Backends
 * are registered below; the callers never learn which one runs.
 */
export async function openTelemetryStore(config: Config, role: "writer"): Promise<TelemetryStore>;
export async function openTelemetryStore(config: Config, role: "reader"): Promise<TelemetryReader>;
export async function openTelemetryStore(config: Config, role: StoreRole): Promise<TelemetryStore | TelemetryReader> {
  const open = BACKENDS[config.CARTOGRAPH_STORE];
  if (!open) throw new Error(`CARTOGRAPH_STORE=${config.CARTOGRAPH_STORE}: no such telemetry store in this build`);
  return open(config, role);
}

type Opener = (config: Config, role: StoreRole) => Promise<TelemetryStore | TelemetryReader>;

/** Backend openers by CARTOGRAPH_STORE value (a backend adds its line here). */
const BACKENDS: Partial<Record<Config["CARTOGRAPH_STORE"], Opener>> = {
  sqlite: (config, role) => openSqliteStore(config, role),
  clickhouse: (config) => openClickHouseFromConfig(config),
};
