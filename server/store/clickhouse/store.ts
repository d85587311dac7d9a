import "server-only";
import type { Span } from "../../normalize";
import { openConnection } from "./connection";
import { readGraphWindow, readPairingWatermark, writeGraphPass } from "./graph-io";
import type { GraphPass, GraphWindow } from "./graph-types";
import { migrateClickHouse } from "./migrate";
import { appendRed, readServed, readServices, type ServedRow, type StoredRedCell, type StoredServiceSeen } from "./red-io";
import { dropExpiredPartitions } from "./retention";
import type { ClickHouseSettings } from "./settings";
import { appendSpans, countStoredSpans, listTraceIdsInWindow, readTraceSpans, readTracesSpans } from "./span-io";

/**
 * The ClickHouse telemetry store (CARTOGRAPH_STORE=clickhouse). Every method is async and
 * speaks plain data (domain spans, encoded sketches), so the stages above do not know which
 * store runs. Many instances may share one database: all writes are appends that reads merge.
 */
export interface ClickHouseStore {
  readonly settings: ClickHouseSettings;
  /** Applies the schema (idempotent, versioned); resolves to the schema version. */
  migrate(): Promise<number>;
  ready(): Promise<boolean>;
  /** Resolves once ClickHouse accepted the spans: only then may ingest acknowledge them. */
  appendSpans(spans: readonly Span[]): Promise<void>;
  appendRed(cells: readonly StoredRedCell[], services: readonly StoredServiceSeen[]): Promise<void>;
  readTraceSpans(traceId: string): Promise<Span[]>;
  readTracesSpans(traceIds: readonly string[]): Promise<Map<string, Span[]>>;
  listTraceIdsInWindow(fromMs: number, toMs: number): Promise<string[]>;
  countStoredSpans(): Promise<number>;
  writeGraphPass(pass: GraphPass, nowMs: number): Promise<void>;
  readPairingWatermark(stepMs: number): Promise<number | null>;
  readGraphWindow(loMinute: number, hiMinute: number): Promise<GraphWindow>;
  readServed(loMinute: number, hiMinute: number): Promise<ServedRow[]>;
  readServices(fromMs: number, toMs: number): Promise<StoredServiceSeen[]>;
  /** Retention by whole days (leader only); returns the partitions dropped. */
  dropExpired(rawBeforeMs: number, rollupBeforeMs: number): Promise<string[]>;
  close(): Promise<void>;
}

export function openClickHouseStore(settings: ClickHouseSettings): ClickHouseStore {
  const conn = openConnection(settings);
  return {
    settings,
    migrate: () => migrateClickHouse(conn),
    ready: async () => {
      try {
        return (await conn.main.ping()).success;
      } catch {
        return false;
      }
    },
    appendSpans: (spans) => appendSpans(conn, spans),
    appendRed: (cells, services) => appendRed(conn, cells, services),
    readTraceSpans: (id) => readTraceSpans(conn, id),
    readTracesSpans: (ids) => readTracesSpans(conn, ids),
    listTraceIdsInWindow: (a, b) => listTraceIdsInWindow(conn, a, b),
    countStoredSpans: () => countStoredSpans(conn),
    writeGraphPass: (p, now) => writeGraphPass(conn, p, now),
    readPairingWatermark: (step) => readPairingWatermark(conn, step),
    readGraphWindow: (lo, hi) => readGraphWindow(conn, lo, hi),
    readServed: (lo, hi) => readServed(conn, lo, hi),
    readServices: (a, b) => readServices(conn, a, b),
    dropExpired: (raw, rollup) => dropExpiredPartitions(conn, raw, rollup),
    close: () => conn.close(),
  };
}

export type { ClickHouseSettings } from "./settings";
export type { GraphPass, GraphWindow, StoredEdgeMinute, StoredNode, StoredEdgeMeta, StoredCompleteness } from "./graph-types";
export type { StoredRedCell, StoredServiceSeen, ServedRow } from "./red-io";
