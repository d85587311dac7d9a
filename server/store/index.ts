import "server-only";
import { openReaderDb, isMigrated, type Db } from "./sqlite/open";

export { openWriterDb, openReaderDb, migrate, telemetryDbPath, type Db } from "./sqlite/open";

/**
 * Read side of the telemetry store. Query functions in server/query take this and use only
 * the read functions exported from this stage, so another backend can stand behind them.
 */
export interface TelemetryReader {
  db: Db;
  ready(): boolean;
  close(): void;
}

export function openTelemetryReader(dataDir: string): TelemetryReader {
  const db = openReaderDb(dataDir);
  return {
    db,
    ready: () => {
      try {
        return isMigrated(db);
      } catch {
        return false;
      }
    },
    close: () => db.close(),
  };
}
export { readTraceSpans, readSpansInWindow, createSpanTimesLookup, mapSpanRow, SPAN_COLUMNS, SPAN_FROM, type SpanRow } from "./sqlite/read-spans";
export { createAppender } from "./sqlite/append-spans";
export { createLogAppender } from "./sqlite/logs-append";
export { searchLogs, readTraceLogs, countLogs, countLogsByService, type LogFilter, type StoredLog, type LogCursor, type LogCountRow } from "./sqlite/logs-read";
export { enforceLogRetention } from "./sqlite/logs-retention";
export { toFtsQuery } from "./sqlite/logs-text-query";
