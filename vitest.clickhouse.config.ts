import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * Integration suites again with the ClickHouse telemetry store (`npm run test:clickhouse`, part
 * of `npm test`): tests/helpers/clickhouse-global-setup.ts starts one loopback ClickHouse node
 * (Debian's clickhouse-server), and every server the tests start gets its own database on it
 * (CARTOGRAPH_STORE=clickhouse, see start-server.ts). Same files, same assertions as on SQLite.
 *
 * Every integration file whose answers come from the telemetry store runs here. Files run two at
 * a time: each server has its own ClickHouse database, so they do not see each other's data.
 */
const STORE_DEPENDENT = [
  "server/api/routes/service-map.int.test.ts",
  "tests/integration/ingest-roundtrip.int.test.ts",
  "tests/integration/ingest-bad-input.int.test.ts",
  "tests/integration/poison-pill.int.test.ts",
  "tests/integration/logs-ingest.int.test.ts",
  "tests/integration/logs-search.int.test.ts",
  "tests/integration/alerting-server.int.test.ts",
  "tests/integration/environments.int.test.ts",
  "tests/integration/jaeger-api.int.test.ts",
  "tests/integration/zipkin-ingest.int.test.ts",
  "tests/integration/demo-findings.int.test.ts",
  "tests/integration/api-contract.int.test.ts",
  "tests/integration/hostile-queries.int.test.ts",
  "tests/integration/prometheus-scrape.int.test.ts",
  "tests/integration/self-tracing.int.test.ts",
  "server/api/routes/map-layout.int.test.ts",
  "tests/integration/zipkin-corpus.int.test.ts",
  "tests/integration/cardinality-limit.int.test.ts",
  "tests/integration/pairing-restart.int.test.ts",
  "tests/integration/late-spans.int.test.ts",
  "server/api/warm-map-layout.int.test.ts",
  "tests/integration/rollup-recovery.int.test.ts",
];

/**
 * Not run here, each for a reason of its own (they stay in `npm run test:integration`):
 * - disk-full, durability, crash-trials, storage-failure: the SQLite file's disk budget, WAL
 *   durability and crash recovery; ClickHouse owns its disks and its durability.
 * - overload: measures the SQLite writer's saturation rate and its backpressure.
 * - alerting-logs, alerting-store-source, alerting-*: open SQLite files or the control plane
 *   directly, no telemetry server (the ClickHouse reads they use are compared store to store in
 *   clickhouse-logs-metrics.int.test.ts).
 * - access-*, ingest-keys, policy-api, control-plane, leader-failover, production-build:
 *   authentication, control plane, election and packaging; the telemetry store plays no part.
 * - clickhouse-*: ClickHouse tests of their own, already in the integration project.
 */
export default defineConfig({
  resolve: {
    alias: {
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
      "@": path.resolve(import.meta.dirname),
    },
  },
  test: {
    name: "clickhouse",
    testTimeout: 90_000,
    hookTimeout: 180_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    include: STORE_DEPENDENT,
    globalSetup: ["tests/helpers/clickhouse-global-setup.ts"],
  },
});
