import "server-only";
import type { Connection } from "./connection";
import { sketchFields } from "./sketch-columns";
import { dayOf } from "./sql";

/** One RED cell (service × operation × span kind × minute) as an instance flushes it. */
export interface StoredRedCell {
  service: string;
  /** '' for none. */
  environment: string;
  operation: string;
  kind: number;
  minute: number;
  count: number;
  errors: number;
  sketch: Uint8Array;
}

export interface StoredServiceSeen {
  name: string;
  namespace: string | null;
  environment: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
}

/**
 * Appends RED cells and service sightings. Every instance appends its own rows for a minute;
 * reads sum them (counts) and merge their sketches, so several instances, or several flushes
 * of one, never overwrite each other.
 */
export async function appendRed(
  conn: Connection,
  cells: readonly StoredRedCell[],
  services: readonly StoredServiceSeen[],
): Promise<void> {
  const db = conn.settings.database;
  if (cells.length > 0) {
    await conn.main.insert({
      table: `${db}.red_minute`,
      format: "JSONEachRow",
      values: cells.map((c) => ({
        day: dayOf(c.minute * 60_000),
        minute: c.minute,
        service: c.service,
        environment: c.environment,
        operation: c.operation,
        kind: c.kind,
        count: c.count,
        errors: c.errors,
        ...sketchFields("d", c.sketch),
      })),
    });
  }
  if (services.length > 0) {
    await conn.main.insert({
      table: `${db}.services`,
      format: "JSONEachRow",
      values: services.map((s) => ({
        day: dayOf(s.lastSeenMs),
        name: s.name,
        namespace: s.namespace ?? "",
        environment: s.environment ?? "",
        first_seen_ms: s.firstSeenMs,
        last_seen_ms: s.lastSeenMs,
      })),
    });
  }
}
