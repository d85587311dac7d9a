import "server-only";

/**
 * The embedded SQLite backend's own door, for its tests, benchmarks and tools that inspect a
 * data directory. Stages never import it (they use ../index.ts and the TelemetryStore; the
 * import rules hold them to that).
 */
export { openReaderDb, openWriterDb, telemetryDbPath, migrate, type Db } from "./open";
export { openStoreForWriting } from "./open-writer";
export { createSqliteReader, createSqliteStore, openSqliteStore, openTelemetryReader } from "./sqlite-store";
export { createAppender } from "./append-spans";
export { createLogAppender } from "./logs-append";
export {
  searchLogs,
  countLogs,
  countLogsByService,
  countLogsWithin,
  listLogServices,
  readTraceLogs,
  type StoredLog as SqliteLogRow,
} from "./logs-read";
export { readTraceSpans, readSpansInWindow, readTracesSpans, countSpansByService } from "./read-spans";
export { countStoredSpans, countBlocks } from "./span-retention";
export { measureUsedBytes } from "./retention";
