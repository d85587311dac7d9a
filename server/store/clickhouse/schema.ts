import "server-only";

/**
 * The ClickHouse schema, as versioned migrations. Every statement is written for both
 * Debian's 18.16 and current releases: no TTL, LowCardinality, Map, Nullable-heavy or
 * DateTime64 columns, no query parameters. Times are UInt64 nanoseconds / milliseconds or
 * UInt32 epoch minutes; every table is partitioned by `day` (Date) so retention drops whole
 * partitions. With a cluster each table is a local MergeTree `<name>_local` on every node plus
 * a `Distributed` table `<name>` over them: spans and the trace index are sharded by trace id
 * (a trace lives on one shard), rollups at random (they are summed on read, so any shard will do).
 */
export interface TableDef {
  name: string;
  columns: string;
  orderBy: string;
  /** Distributed sharding expression. */
  shardBy: string;
  /** Table engine (default MergeTree()). */
  engine?: string;
}

const SKETCH = (p: string) =>
  `${p}_n Float64, ${p}_zero Float64, ${p}_sum Float64, ${p}_min Float64, ${p}_max Float64, ${p}_keys Array(Int32), ${p}_counts Array(Float64)`;
/** Graph rows carry the pass that wrote them; only committed passes are read (see graph-write.ts). */
const PASS = "pass UInt64, attempt String";

export const TABLES: Record<string, TableDef> = {
  spans: {
    name: "spans",
    columns: `day Date, minute UInt32, trace_id String, span_id String, parent_span_id String, name String, kind UInt8,
      start_ns UInt64, end_ns UInt64, status_code UInt8, status_message String, service String, namespace String, environment String,
      attributes String, resource String, events String, links String, scope_name String, scope_version String`,
    orderBy: "(minute, trace_id, span_id)",
    shardBy: "cityHash64(trace_id)",
  },
  trace_index: {
    name: "trace_index",
    columns: "day Date, trace_id String, min_minute UInt32, max_minute UInt32",
    orderBy: "(trace_id)",
    shardBy: "cityHash64(trace_id)",
  },
  red_minute: {
    name: "red_minute",
    columns: `day Date, minute UInt32, service String, environment String, operation String, kind UInt8, count UInt64, errors UInt64, ${SKETCH("d")}`,
    orderBy: "(minute, service, environment, operation, kind)",
    shardBy: "rand()",
  },
  services: {
    name: "services",
    columns: "day Date, name String, namespace String, environment String, first_seen_ms UInt64, last_seen_ms UInt64",
    orderBy: "(name, environment)",
    shardBy: "rand()",
  },
  edge_minute: {
    name: "edge_minute",
    columns: `day Date, ${PASS}, minute UInt32, source String, target String, protocol String, calls UInt64, errors UInt64, connects UInt64, ${SKETCH("c")}, ${SKETCH("s")}`,
    orderBy: "(minute, source, target, protocol)",
    shardBy: "rand()",
  },
  graph_nodes: {
    name: "graph_nodes",
    columns: `day Date, ${PASS}, id String, kind String, name String, system String, host String, port Int32, database String, environment String, detail String, first_seen_ms UInt64, last_seen_ms UInt64`,
    orderBy: "(id)",
    shardBy: "rand()",
  },
  graph_edges: {
    name: "graph_edges",
    columns: `day Date, ${PASS}, source String, target String, protocol String, first_seen_ms UInt64, last_seen_ms UInt64, detail String`,
    orderBy: "(source, target, protocol)",
    shardBy: "rand()",
  },
  graph_stats_minute: {
    name: "graph_stats_minute",
    columns: `day Date, ${PASS}, minute UInt32, paired UInt64, unpaired_client UInt64, unpaired_server UInt64, virtual UInt64, expired UInt64, dropped UInt64`,
    orderBy: "(minute)",
    shardBy: "rand()",
  },
  graph_passes: {
    name: "graph_passes",
    columns: `day Date, ${PASS}, committed_ms UInt64`,
    orderBy: "(pass)",
    shardBy: "rand()",
  },
  // Metric points keyed by an opaque series key (metric-rows.ts); one catalog row per series per batch.
  metric_points: {
    name: "metric_points",
    columns:
      "day Date, series String, start_ns UInt64, time_ns UInt64, value Nullable(Float64), count Nullable(Float64), sum Nullable(Float64), detail String",
    orderBy: "(series, time_ns)",
    shardBy: "cityHash64(series)",
  },
  metric_series: {
    name: "metric_series",
    columns:
      "day Date, series String, service String, name String, type String, unit String, description String, temporality UInt8, monotonic UInt8, attributes String, last_seen_ms UInt64",
    orderBy: "(service, name, series)",
    shardBy: "cityHash64(series)",
  },
  // Log lines; `words` is the body's normalized token text (log-text.ts), the free-text filter's column.
  logs: {
    name: "logs",
    columns: `day Date, time_ns UInt64, fingerprint UInt64, observed_ns UInt64, service String, severity UInt8, severity_text String,
      body String, body_json UInt8, words String, trace_id String, span_id String, flags UInt32, resource String, scope String, attributes String`,
    orderBy: "(service, time_ns, fingerprint)",
    shardBy: "fingerprint",
  },
  // Hour rollups (schema version 4): what windows of many hours read (hour-rollups.ts).
  edge_hour: {
    name: "edge_hour",
    columns: `day Date, hour UInt32, attempt String, source String, target String, protocol String, first_minute UInt32, last_minute UInt32,
      calls UInt64, errors UInt64, connects UInt64, ${SKETCH("c")}, ${SKETCH("s")}`,
    orderBy: "(hour, source, target, protocol)",
    shardBy: "rand()",
  },
  graph_hours: {
    name: "graph_hours",
    columns: "day Date, hour UInt32, attempt String, committed_ms UInt64",
    orderBy: "(hour)",
    shardBy: "rand()",
  },
  red_hour: {
    name: "red_hour",
    columns: `day Date, hour UInt32, service String, environment String, operation String, kind UInt8,
      h_count AggregateFunction(sum, UInt64), h_errors AggregateFunction(sum, UInt64), h_n AggregateFunction(sum, Float64),
      h_zero AggregateFunction(sum, Float64), h_sum AggregateFunction(sum, Float64), h_min AggregateFunction(minIf, Float64, UInt8),
      h_max AggregateFunction(maxIf, Float64, UInt8), h_bins AggregateFunction(sumMap, Array(Int32), Array(Float64))`,
    orderBy: "(hour, service, environment, operation, kind)",
    shardBy: "rand()",
    engine: "AggregatingMergeTree()",
  },
  store_marks: {
    name: "store_marks",
    columns: "day Date, name String, value UInt64",
    orderBy: "(name)",
    shardBy: "rand()",
  },
  // Edge minutes merged once closed, one row per edge and minute (schema version 5, minute-rollups.ts).
  edge_merged: {
    name: "edge_merged",
    columns: `day Date, minute UInt32, attempt String, source String, target String, protocol String,
      calls UInt64, errors UInt64, connects UInt64, ${SKETCH("c")}, ${SKETCH("s")}`,
    orderBy: "(minute, source, target, protocol)",
    shardBy: "rand()",
  },
  graph_minutes: {
    name: "graph_minutes",
    columns: "day Date, minute UInt32, attempt String, committed_ms UInt64",
    orderBy: "(minute)",
    shardBy: "rand()",
  },
  // When each batch of a trace's spans was stored, by the ClickHouse clock (schema version 6): the
  // leader re-pairs windows whose traces got spans after their pass (late-arrivals.ts).
  span_arrivals: {
    name: "span_arrivals",
    columns: "day Date, stored_s DateTime DEFAULT now(), trace_id String, min_minute UInt32, max_minute UInt32",
    orderBy: "(stored_s, trace_id)",
    shardBy: "rand()",
  },
  // Late windows a leader found but has not paired again yet (schema version 7, late-windows.ts): a
  // `note` row per finding, a `done` row with the same note once a pass ran after it was read.
  late_windows: {
    name: "late_windows",
    columns: "day Date, step_ms UInt64, window_ms UInt64, note String, done UInt8",
    orderBy: "(step_ms, window_ms)",
    shardBy: "rand()",
  },
  // RED recovered by the leader from the stored spans of a writer's flush epochs that no flush of
  // that writer covered (schema version 8, red-recovery.ts): one insert into one node per run, so atomic.
  red_recovered: {
    name: "red_recovered",
    columns: `day Date, writer String, epoch UInt64, attempt String, minute UInt32, service String, environment String, operation String,
      kind UInt8, count UInt64, errors UInt64, ${SKETCH("d")}`,
    orderBy: "(minute, writer, epoch)",
    shardBy: "rand()",
  },
  // A writer's flush epochs: the minutes its spans were stamped with, and heartbeats while an
  // epoch waits for its flush, by the ClickHouse clock (schema version 8, rollup-epochs.ts).
  rollup_epochs: {
    name: "rollup_epochs",
    columns:
      "day Date, writer String, epoch UInt64, min_minute UInt32, max_minute UInt32, seen_s DateTime DEFAULT now()",
    orderBy: "(seen_s, writer, epoch)",
    shardBy: "rand()",
  },
  // Rollup change marks (schema version 9, rollup-changes.ts): the minute range each write that
  // may change a reader's cached blocks touched, stamped by the ClickHouse clock.
  rollup_changes: {
    name: "rollup_changes",
    columns: "day Date, changed_s DateTime DEFAULT now(), id String, from_minute UInt32, to_minute UInt32",
    orderBy: "(changed_s, id)",
    shardBy: "rand()",
  },
  log_minute: {
    name: "log_minute",
    columns: "day Date, minute UInt32, service String, severity_range UInt8, count UInt64",
    orderBy: "(minute, service, severity_range)",
    shardBy: "rand()",
  },
};

/** A column added to an existing table (and to its local tables on a cluster). */
export interface AddedColumn {
  table: string;
  column: string;
  type: string;
}

export interface Migration {
  version: number;
  description: string;
  tables: TableDef[];
  /** Columns added, each only where missing (18.16 has no ADD COLUMN IF NOT EXISTS). */
  columns?: AddedColumn[];
  /** Statements run on each node after its tables exist (views, marks). */
  after?: (db: string, cluster: string | null, nowMs: number) => string[];
}

/**
 * red_hour is filled by a materialized view on every node's red_minute (local) table, so rows
 * that any instance appends, late ones included, land in their hour: exact, no job. A view sees
 * only inserts made after it exists, so on a node that already held RED rows, hours from the next
 * whole hour after the view's creation are read from red_hour (the `red_hour_since` mark, the
 * latest over the nodes); earlier ones from red_minute. A new database reads red_hour throughout.
 */
function redHourView(db: string, cluster: string | null, nowMs: number): string[] {
  const from = cluster ? "red_minute_local" : "red_minute";
  const to = cluster ? "red_hour_local" : "red_hour";
  const marks = cluster ? "store_marks_local" : "store_marks";
  const nextHour = Math.floor(nowMs / 3_600_000) + 1;
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.red_hour_mv TO ${db}.${to} AS SELECT day, intDiv(minute, 60) AS hour, service, environment, operation, kind,
      sumState(count) AS h_count, sumState(errors) AS h_errors, sumState(d_n) AS h_n, sumState(d_zero) AS h_zero, sumState(d_sum) AS h_sum,
      minIfState(d_min, d_n > 0) AS h_min, maxIfState(d_max, d_n > 0) AS h_max, sumMapState(d_keys, d_counts) AS h_bins
      FROM ${db}.${from} GROUP BY day, hour, service, environment, operation, kind`,
    // Counted after the view exists: no rows then means the view sees every row there will be.
    // Written to this node's own table: nodes migrate one after another, so a Distributed insert
    // could be routed to a node whose tables do not exist yet (readers take the max over nodes).
    `INSERT INTO ${db}.${marks} (day, name, value) SELECT toDate('${new Date(nowMs).toISOString().slice(0, 10)}'), 'red_hour_since', if(count() = 0, 0, ${nextHour}) FROM ${db}.${from}`,
  ];
}

/**
 * span_arrivals is filled by a materialized view on every node's trace_index (local) table: each
 * trace index row an instance inserts leaves its arrival row, stamped with now() by the node that
 * stores it, in the same insert (no second insert from Cartograph, which cost about a fifth of the
 * append path's CPU). On a cluster a trace's arrivals are stamped by its shard's clock: the nodes'
 * clocks must agree to well within the late scan's margin (10 s; NTP).
 */
function arrivalsView(db: string, cluster: string | null): string[] {
  const from = cluster ? "trace_index_local" : "trace_index";
  const to = cluster ? "span_arrivals_local" : "span_arrivals";
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db}.span_arrivals_mv TO ${db}.${to}
      AS SELECT day, now() AS stored_s, trace_id, min_minute, max_minute FROM ${db}.${from}`,
  ];
}

/** Append-only: a released migration never changes; a new one gets the next version. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "spans, trace index, RED rollups, service inventory",
    tables: [TABLES.spans!, TABLES.trace_index!, TABLES.red_minute!, TABLES.services!],
  },
  {
    version: 2,
    description: "service graph rollups written by cluster pairing passes",
    tables: [
      TABLES.edge_minute!,
      TABLES.graph_nodes!,
      TABLES.graph_edges!,
      TABLES.graph_stats_minute!,
      TABLES.graph_passes!,
    ],
  },
  {
    version: 3,
    description: "metric series and points, log lines and per-minute log counts",
    tables: [TABLES.metric_points!, TABLES.metric_series!, TABLES.logs!, TABLES.log_minute!],
  },
  {
    version: 4,
    description: "hour rollups: RED by a materialized view, the graph by the leader's hour compaction",
    tables: [TABLES.edge_hour!, TABLES.graph_hours!, TABLES.red_hour!, TABLES.store_marks!],
    after: redHourView,
  },
  {
    version: 5,
    description: "closed edge minutes merged by the leader: one row per edge and minute",
    tables: [TABLES.edge_merged!, TABLES.graph_minutes!],
  },
  {
    version: 6,
    description: "span arrivals: late spans re-pair the windows of their traces",
    tables: [TABLES.span_arrivals!],
  },
  {
    version: 7,
    description: "late windows waiting for their pass, kept across a leader change",
    tables: [TABLES.late_windows!],
  },
  {
    version: 8,
    description: "RED that survives a killed writer: flush epochs on spans and RED rows, RED recovered by the leader",
    tables: [TABLES.red_recovered!, TABLES.rollup_epochs!],
    columns: [
      { table: "spans", column: "writer", type: "String DEFAULT ''" },
      { table: "spans", column: "writer_epoch", type: "UInt64 DEFAULT 0" },
      { table: "red_minute", column: "writer", type: "String DEFAULT ''" },
      { table: "red_minute", column: "first_epoch", type: "UInt64 DEFAULT 0" },
      { table: "red_minute", column: "last_epoch", type: "UInt64 DEFAULT 0" },
    ],
  },
  {
    version: 9,
    description: "rollup change marks: another instance's late writes drop the cached blocks they change",
    tables: [TABLES.rollup_changes!],
  },
  {
    version: 10,
    description: "span arrivals written by ClickHouse from the trace index (a materialized view)",
    tables: [],
    after: arrivalsView,
  },
];

/** The DDL of one table on one node: a plain MergeTree, or the local table plus its Distributed. */
export function tableDdl(t: TableDef, db: string, cluster: string | null): string[] {
  const engine = `ENGINE = ${t.engine ?? "MergeTree()"} PARTITION BY day ORDER BY ${t.orderBy}`;
  if (!cluster) return [`CREATE TABLE IF NOT EXISTS ${db}.${t.name} (${t.columns}) ${engine}`];
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name}_local (${t.columns}) ${engine}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${t.name} AS ${db}.${t.name}_local ENGINE = Distributed(${cluster}, ${db}, ${t.name}_local, ${t.shardBy})`,
  ];
}

/** Where rows physically live on a node (retention drops partitions there). */
export function localTableName(t: TableDef, cluster: string | null): string {
  return cluster ? `${t.name}_local` : t.name;
}
