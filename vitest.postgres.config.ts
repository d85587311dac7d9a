import { defineConfig } from "vitest/config";
import path from "node:path";

/**
 * The control-plane suites again, on PostgreSQL (`npm run test:postgres`, part of `npm test`):
 * tests/helpers/postgres-global-setup.ts starts one private PostgreSQL cluster, and every server
 * the tests start gets its own database on it (CARTOGRAPH_CONTROL_DATABASE_URL). Users, sessions,
 * tokens, ingest keys, rules, channels, silences, alert state and the architecture policy then
 * live in PostgreSQL (policy-shared.int.test.ts, in the integration project, starts its own
 * cluster for two instances on one database).
 */
export default defineConfig({
  resolve: {
    alias: {
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
      "@": path.resolve(import.meta.dirname),
    },
  },
  test: {
    name: "postgres",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: false,
    include: [
      "tests/integration/access-auth.int.test.ts",
      "tests/integration/access-guard.int.test.ts",
      "tests/integration/ingest-keys.int.test.ts",
      "tests/integration/alerting-server.int.test.ts",
      "tests/integration/policy-api.int.test.ts",
    ],
    globalSetup: ["tests/helpers/postgres-global-setup.ts"],
  },
});
