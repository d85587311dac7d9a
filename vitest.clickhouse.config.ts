import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * Integration suites again with the ClickHouse telemetry store (`npm run test:clickhouse`, part
 * of `npm test`): tests/helpers/clickhouse-global-setup.ts starts one loopback ClickHouse node
 * (Debian's clickhouse-server), and every server the tests start gets its own database on it
 * (CARTOGRAPH_STORE=clickhouse, see start-server.ts). Same files, same assertions as on SQLite.
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
    fileParallelism: false,
    include: [
      "tests/integration/ingest-roundtrip.int.test.ts",
      "tests/integration/logs-ingest.int.test.ts",
      "tests/integration/logs-search.int.test.ts",
      "tests/integration/alerting-server.int.test.ts",
      "tests/integration/environments.int.test.ts",
      "tests/integration/jaeger-api.int.test.ts",
    ],
    globalSetup: ["tests/helpers/clickhouse-global-setup.ts"],
  },
});
