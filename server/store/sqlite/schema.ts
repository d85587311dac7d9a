import "server-only";
import { LOGS_MIGRATION } from "./logs-schema";

/**
 * Telemetry schema of the embedded SQLite store. Migrations are applied in order on open;
 * `PRAGMA user_version` records how many ran. Append a migration, never edit a shipped one.
 *
 * Conventions: timestamps of raw rows are exact nanoseconds (INTEGER, read with safeIntegers);
 * rollup rows are keyed by epoch minute (ms / 60000). Attribute-like columns are JSON text.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: raw spans, resources, service catalog, RED rollups, metrics */ `
  CREATE TABLE resources (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    namespace TEXT,
    environment TEXT,
    attributes TEXT NOT NULL UNIQUE
  );
  CREATE TABLE spans (
    trace_id TEXT NOT NULL,
    span_id TEXT NOT NULL,
    parent_span_id TEXT,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    kind INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    status_message TEXT,
    resource_id INTEGER NOT NULL,
    scope TEXT,
    attributes TEXT NOT NULL,
    events TEXT,
    links TEXT
  );
  CREATE UNIQUE INDEX spans_trace_span ON spans(trace_id, span_id);
  CREATE INDEX spans_service_start ON spans(service, start_ns);
  CREATE INDEX spans_start ON spans(start_ns);

  CREATE TABLE services (
    name TEXT PRIMARY KEY,
    namespace TEXT,
    environment TEXT,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
  );

  -- RED per service x operation x span kind x minute; sketch = encoded DDSketch of durations in ms.
  CREATE TABLE red_minute (
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    kind INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    PRIMARY KEY (service, operation, kind, minute)
  ) WITHOUT ROWID;
  CREATE INDEX red_minute_minute ON red_minute(minute);

  CREATE TABLE metric_series (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    unit TEXT NOT NULL,
    description TEXT NOT NULL,
    temporality INTEGER NOT NULL,
    monotonic INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    UNIQUE (service, name, type, attributes)
  );
  CREATE TABLE metric_points (
    series_id INTEGER NOT NULL,
    start_ns INTEGER NOT NULL,
    time_ns INTEGER NOT NULL,
    value REAL,
    count REAL,
    sum REAL,
    detail TEXT,
    PRIMARY KEY (series_id, time_ns)
  ) WITHOUT ROWID;
  CREATE INDEX metric_points_time ON metric_points(time_ns);
  `,
  /* 2: service graph (server/aggregate/servicegraph): typed nodes, per-minute edge rollups,
     pairing completeness. The late-half lookup (trace_id, parent_span_id) uses the
     (trace_id, span_id) index's trace_id prefix: a fourth random-key index on every span
     insert cost more ingest CPU than the rare scan of a huge trace saves. */ `
  CREATE TABLE graph_nodes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    system TEXT,
    host TEXT,
    port INTEGER,
    database TEXT,
    detail TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
  );
  -- calls/errors/connects and DDSketch latencies (ms, server/store/sketch.ts encoding).
  CREATE TABLE edge_minute (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    protocol TEXT NOT NULL,
    minute INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    connects INTEGER NOT NULL,
    client_sketch BLOB NOT NULL,
    server_sketch BLOB NOT NULL,
    PRIMARY KEY (source, target, protocol, minute)
  ) WITHOUT ROWID;
  CREATE INDEX edge_minute_minute ON edge_minute(minute);
  CREATE TABLE graph_edges (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    protocol TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (source, target, protocol)
  ) WITHOUT ROWID;
  CREATE TABLE graph_stats_minute (
    minute INTEGER PRIMARY KEY,
    paired INTEGER NOT NULL,
    unpaired_client INTEGER NOT NULL,
    unpaired_server INTEGER NOT NULL,
    virtual INTEGER NOT NULL,
    expired INTEGER NOT NULL,
    dropped INTEGER NOT NULL
  );
  `,
  /* 3: logs (see logs-schema.ts) */ LOGS_MIGRATION,
  /* 4: spans as compressed blocks + one summary row per trace (server/store/sqlite/span-block.ts).
     The per-span table becomes legacy_spans; the writer moves its rows into blocks on open
     (legacy-spans.ts) and drops it. Only two per-trace indexes remain on the write path:
     the random trace id (dedup, detail) and (start, duration, errors) for search. */ `
  ALTER TABLE spans RENAME TO legacy_spans;
  DROP INDEX IF EXISTS spans_service_start;
  DROP INDEX IF EXISTS spans_start;
  CREATE TABLE traces (
    id INTEGER PRIMARY KEY,
    trace_id BLOB NOT NULL,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL,
    -- latest span start: retention by age drops a summary once every span is older
    last_ns INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    spans INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    root_resource INTEGER,
    root_name TEXT,
    -- 1 when the root is a span without a parent (else the earliest span stands in)
    root_parentless INTEGER NOT NULL,
    -- varint lists: resource ids (services) and the blocks holding the trace's spans
    resources BLOB NOT NULL,
    blocks BLOB NOT NULL,
    -- 8-byte span ids in storage order: the dedup set and the blocks' span addresses
    span_ids BLOB NOT NULL
  );
  CREATE UNIQUE INDEX traces_trace_id ON traces(trace_id);
  CREATE INDEX traces_start ON traces(start_ns, duration_ns, errors);
  CREATE TABLE span_blocks (
    id INTEGER PRIMARY KEY,
    min_start_ns INTEGER NOT NULL,
    max_start_ns INTEGER NOT NULL,
    spans INTEGER NOT NULL,
    bloom BLOB NOT NULL
  );
  CREATE INDEX span_blocks_max_start ON span_blocks(max_start_ns);
  CREATE INDEX span_blocks_min_start ON span_blocks(min_start_ns);
  CREATE TABLE span_block_data (
    id INTEGER PRIMARY KEY,
    data BLOB NOT NULL
  );
  `,
  /* 5: environments never mix. RED rollups and the service catalog are keyed by service AND
     deployment.environment(.name) ('' = none, its own group); graph nodes carry theirs (their
     ids include it, node-identity.ts). Existing rows keep the environment the catalog had. */ `
  CREATE TABLE red_minute_v5 (
    service TEXT NOT NULL,
    operation TEXT NOT NULL,
    kind INTEGER NOT NULL,
    minute INTEGER NOT NULL,
    count INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    sketch BLOB NOT NULL,
    environment TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (service, environment, operation, kind, minute)
  ) WITHOUT ROWID;
  INSERT INTO red_minute_v5 (service, operation, kind, minute, count, errors, sketch, environment)
    SELECT r.service, r.operation, r.kind, r.minute, r.count, r.errors, r.sketch,
      COALESCE((SELECT s.environment FROM services s WHERE s.name = r.service), '')
    FROM red_minute r;
  DROP TABLE red_minute;
  ALTER TABLE red_minute_v5 RENAME TO red_minute;
  CREATE INDEX red_minute_minute ON red_minute(minute);
  CREATE TABLE services_v5 (
    name TEXT NOT NULL,
    environment TEXT NOT NULL DEFAULT '',
    namespace TEXT,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL,
    PRIMARY KEY (name, environment)
  );
  INSERT INTO services_v5 (name, environment, namespace, first_seen_ms, last_seen_ms)
    SELECT name, COALESCE(environment, ''), namespace, first_seen_ms, last_seen_ms FROM services;
  DROP TABLE services;
  ALTER TABLE services_v5 RENAME TO services;
  ALTER TABLE graph_nodes ADD COLUMN environment TEXT;
  `,
  /* 6: block groups (span-block-groups.ts): consecutive blocks (up to 64) share one Bloom
     filter over all their terms, so a search skips a whole group whose filter rules a term
     out. bloom is NULL while the group is open, and for groups whose every term the writer
     did not see (blocks written before this migration, a writer restarted mid-group):
     such a group's blocks are checked one by one. */ `
  CREATE TABLE span_block_groups (
    id INTEGER PRIMARY KEY,
    last_block INTEGER NOT NULL,
    min_start_ns INTEGER NOT NULL,
    max_start_ns INTEGER NOT NULL,
    blocks INTEGER NOT NULL,
    spans INTEGER NOT NULL,
    bloom BLOB
  );
  INSERT INTO span_block_groups (id, last_block, min_start_ns, max_start_ns, blocks, spans, bloom)
    SELECT min(id), max(id), min(min_start_ns), max(max_start_ns), count(*), sum(spans), NULL
    FROM span_blocks GROUP BY id / 64;
  `,
  /* 7: rare-term postings per block (span-block-postings.ts): for span attribute terms held
     by few of a block's traces, the exact list of those traces, so a search for a rare value
     reads a few bytes instead of decoding the block. NULL for blocks written before (they are
     decoded, as before) and for blocks with no rare term. */ `
  ALTER TABLE span_blocks ADD COLUMN postings BLOB;
  `,
];
