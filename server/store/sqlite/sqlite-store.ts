import "server-only";
import type { Config } from "../../platform/config";
import { isMigrated, openReaderDb, type Db } from "./open";
import { openStoreForWriting } from "./open-writer";
import { createRollupStore } from "./rollups";
import { createGraphStore } from "./graph";
import { createMetricStore } from "./metrics-read";
import { createLogStore } from "./logs-store";
import { createRetentionStore } from "./retention";
import { createIngestStore } from "./ingest";
import { createRollupJournal } from "./rollup-journal";
import { spanReaderFor } from "./read-spans";
import { searchTraceSummaries } from "./search-traces";
import { listTraceIdsInWindow } from "./trace-ids";
import type { SpanStore, TelemetryReader, TelemetryStore } from "../telemetry-store";

function createSpanStore(db: Db): SpanStore {
  const reader = spanReaderFor(db);
  return {
    readTrace: async (traceId, limit) => reader.readTrace(traceId, limit),
    readTraces: async (ids) => reader.readTraces(ids),
    readSpansInWindow: async (fromMs, toMs, limit) => reader.readWindow(fromMs, toMs, limit),
    listTraceIdsInWindow: async (fromMs, toMs) => listTraceIdsInWindow(db, fromMs, toMs),
    searchTraces: async (q) => searchTraceSummaries(db, q),
  };
}

/**
 * The read side over one connection (a query thread's, the main thread's, or the writer's own).
 * Reads are synchronous underneath (better-sqlite3) and resolve at once; a read that spans
 * several statements sees one snapshot only when the caller needs no more than one of them.
 */
export function createSqliteReader(db: Db): TelemetryReader {
  return {
    spans: createSpanStore(db),
    rollups: createRollupStore(db),
    graph: createGraphStore(db),
    metrics: createMetricStore(db),
    logs: createLogStore(db),
    ready: () => {
      try {
        return isMigrated(db);
      } catch {
        return false;
      }
    },
    close: () => {
      db.close();
    },
  };
}

/** The whole store over the writer connection (one writer per data directory). */
export function createSqliteStore(db: Db): TelemetryStore {
  return {
    ...createSqliteReader(db),
    ingest: { ...createIngestStore(db), rollupJournal: createRollupJournal(db) },
    retention: createRetentionStore(db),
    close: () => {
      // A clean shutdown leaves no WAL behind (the next open starts from one file).
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
    },
  };
}

/**
 * Opens the embedded store in CARTOGRAPH_DATA_DIR: the writer migrates and converts legacy
 * rows; a reader needs the writer to have created the file (readers open read-only).
 */
export async function openSqliteStore(
  config: Pick<Config, "CARTOGRAPH_DATA_DIR" | "CARTOGRAPH_SQLITE_SYNCHRONOUS">,
  role: "writer" | "reader",
) {
  if (role === "writer")
    return createSqliteStore(openStoreForWriting(config.CARTOGRAPH_DATA_DIR, config.CARTOGRAPH_SQLITE_SYNCHRONOUS));
  return createSqliteReader(openReaderDb(config.CARTOGRAPH_DATA_DIR));
}

/** A read side over a data directory the writer created. */
export function openTelemetryReader(dataDir: string): TelemetryReader {
  return createSqliteReader(openReaderDb(dataDir));
}
