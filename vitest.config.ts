import { defineConfig } from "vitest/config";
import path from "node:path";

const SOURCES = ["server", "lib", "components", "tests", "scripts"];

/**
 * Two projects, by file name (docs/architecture.md, "Tests"): `unit` runs every *.test.ts that is
 * not *.int.test.ts, files in parallel; `integration` runs *.int.test.ts, which start real
 * servers and fleets of processes, one file at a time so they do not starve each other on
 * 2 cores (timing-dependent findings stay deterministic). `npm run test:unit` and
 * `npm run test:integration` pick one each.
 */
export default defineConfig({
  resolve: {
    alias: {
      "server-only": path.resolve(import.meta.dirname, "node_modules/server-only/empty.js"),
      "@": path.resolve(import.meta.dirname),
    },
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: SOURCES.map((s) => `${s}/**/*.test.ts`),
          exclude: ["**/*.int.test.ts", "tests/e2e/**", "node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: SOURCES.map((s) => `${s}/**/*.int.test.ts`),
          exclude: ["tests/e2e/**", "node_modules/**"],
          fileParallelism: false,
        },
      },
    ],
  },
});
