import "server-only";
import { openReaderDb, isMigrated, type Db } from "./sqlite/open";

export { openReaderDb, migrate, telemetryDbPath, type Db } from "./sqlite/open";
export { openStoreForWriting as openWriterDb } from "./sqlite/open-writer";

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
export { readTraceSpans, readSpansInWindow, readTracesSpans, spanReaderFor, createSpanTimesLookup, countSpansByService, type SpanReader } from "./sqlite/read-spans";
export { searchTraceSummaries, type TraceQuery, type StoredTraceSummary } from "./sqlite/search-traces";
export { deleteSpansBefore, deleteOldestBlocks, countBlocks, countStoredSpans } from "./sqlite/span-retention";
export { listTraceIdsInWindow } from "./sqlite/trace-ids";
export { createAppender } from "./sqlite/append-spans";
export { createLogAppender } from "./sqlite/logs-append";
export { searchLogs, readTraceLogs, countLogs, countLogsByService, listLogServices, type LogFilter, type StoredLog, type LogCursor, type LogCountRow } from "./sqlite/logs-read";
export { enforceLogRetention } from "./sqlite/logs-retention";
export { toFtsQuery } from "./sqlite/logs-text-query";

/** The store boundary (telemetry-store.ts): every telemetry read and write goes through it. */
export type {
  Awaitable, MinuteWindow, SpanStore, RollupStore, GraphStore, MetricStore, LogStore, RetentionStore, IngestStore,
  TelemetryStore, StoreKind, RedMinute, RedQuery, ServiceEntry, EdgeMinuteRow, GraphNodeRow, GraphEdgeRow,
  CompletenessCounts, GraphBatch, MetricSummaryRow, MetricSeriesRow, MetricPointRow, LogCountRow as StoreLogCountRow,
  RetentionPolicy, RetentionResult, AppendBatch, AppendResult,
} from "./telemetry-store";
export { openTelemetryStore, type StoreRole } from "./open-store";
export {
  openClickHouseStore, type ClickHouseStore, type ClickHouseSettings, type GraphPass, type GraphWindow, type StoredEdgeMinute,
  type StoredNode, type StoredEdgeMeta, type StoredCompleteness, type StoredRedCell, type StoredServiceSeen, type ServedRow,
} from "./clickhouse/store";
export { clickHouseSettingsFrom } from "./clickhouse/settings";
export { openClickHouseFromConfig } from "./clickhouse/store";
