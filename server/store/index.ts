import "server-only";

/**
 * The store boundary (telemetry-store.ts): every telemetry read and write goes through it.
 * Stages open a store with openTelemetryStore and see only the interface; the SQLite
 * backend's own helpers (for tests and benchmarks) are behind ./sqlite/index.ts.
 */
export type {
  Awaitable,
  MinuteWindow,
  SpanStore,
  RollupStore,
  GraphStore,
  MetricStore,
  LogStore,
  RetentionStore,
  IngestStore,
  TelemetryReader,
  TelemetryStore,
  StoreKind,
  RedMinute,
  RedQuery,
  ServiceEntry,
  EdgeMinuteQuery,
  EdgeMinuteRow,
  GraphNodeRow,
  GraphEdgeRow,
  CompletenessCounts,
  GraphBatch,
  MetricSummaryRow,
  MetricSeriesRow,
  MetricPointRow,
  LogCountRow,
  LogFilter,
  StoredLog,
  TraceQuery,
  StoredTraceSummary,
  RetentionPolicy,
  RetentionResult,
  AppendBatch,
  AppendResult,
  StoreFailure,
} from "./telemetry-store";
export { LOG_HISTOGRAM_ROW_BUDGET } from "./telemetry-store";
export { openTelemetryStore, type StoreRole } from "./open-store";
export {
  SKETCH_RELATIVE_ACCURACY,
  createSketch,
  addToSketch,
  mergeSketches,
  quantile,
  encodeSketch,
  decodeSketch,
  mergeEncodedInto,
  mergeEncodedSketches,
  addEncodedSketches,
  type Sketch,
} from "./sketch";
export {
  openClickHouseStore,
  type ClickHouseStore,
  type ClickHouseSettings,
  type GraphPass,
  type StoredEdgeMinute,
  type StoredNode,
  type StoredEdgeMeta,
  type StoredCompleteness,
  type StoredRedCell,
  type StoredServiceSeen,
  type LateWindow,
  type AbandonedEpochs,
  type RecoveredEpoch,
} from "./clickhouse/store";
export { clickHouseSettingsFrom } from "./clickhouse/settings";
export { openClickHouseFromConfig, asClickHouseStore } from "./clickhouse/store";

/**
 * The control plane's database (rules, channels, alert state, users, tokens, policy, leases):
 * a Prisma client on SQLite or PostgreSQL, migrated at start. Its raw SQL (migrations, batched
 * inserts) lives in ./control beside the telemetry backends.
 */
export {
  connectControlDb,
  controlDbKind,
  describeControlDb,
  openControlDb,
  resolveControlDb,
  type ControlDb,
  type ControlDbKind,
  type ControlDbTarget,
} from "./control/control-db";
export { applyMigrations, type MigrationReport } from "./control/migrate";
export { insertRowBatches } from "./control/batch-insert";

/**
 * The tables a span's SQL statement (`db.statement` / `db.query.text`) or query summary touches,
 * for the coupling rules: the store boundary holds every piece of SQL knowledge, this parser of
 * users' statements included (it reads no database).
 */
export {
  isDdlOperation,
  isWriteOperation,
  normalizeTable,
  tablesFromSql,
  tablesFromSummary,
  type TableOp,
} from "./statement-tables";
