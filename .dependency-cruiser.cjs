/**
 * Import rules (docs/architecture.md, "Stages and their doors"), checked by `npm run lint:deps` (part of npm test)
 * over the whole project: client code never imports server/; a server stage imports another
 * stage only through its index.ts, and so do tests and scripts outside the stage (a stage's
 * own unit tests sit next to its code); product code never imports tests or scripts.
 * server/platform (config, logger, self-metrics, module paths) and server/main.ts, the
 * composition root, are the shared base.
 */
const DOORS = ["^server/[^/]+/index\\.ts$", "^server/aggregate/(red|servicegraph)/index\\.ts$", "^server/platform/"];
/** The embedded store's own door (open a data directory, append fixtures): tests and benchmarks only. */
const TEST_DOORS = [...DOORS, "^server/store/sqlite/index\\.ts$"];

module.exports = {
  forbidden: [
    {
      name: "client-never-imports-server",
      severity: "error",
      from: { path: "^(app|components|lib)/" },
      to: { path: "^server/" },
    },
    {
      name: "stages-import-index-only",
      comment: "Import another stage's public functions from its index.ts.",
      severity: "error",
      from: { path: "^server/([^/]+)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^server/[^/]+/", pathNot: ["^server/$1/", ...DOORS] },
    },
    {
      name: "stage-tests-use-doors",
      comment: "A stage's unit tests use other stages' doors, and the embedded store's door to set up data.",
      severity: "error",
      from: { path: "^server/([^/]+)/.*\\.test\\.ts$" },
      to: { path: "^server/[^/]+/", pathNot: ["^server/$1/", ...TEST_DOORS] },
    },
    {
      name: "tests-and-scripts-use-doors",
      comment: "Tests and scripts outside server/ use a stage's public functions, from its index.ts.",
      severity: "error",
      from: { path: "^(tests|scripts|cli)/" },
      to: { path: "^server/[^/]+/", pathNot: TEST_DOORS },
    },
    {
      name: "product-never-imports-tests-or-scripts",
      severity: "error",
      from: { path: "^(server|app|components|lib)/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(tests|scripts)/" },
    },
    {
      name: "telemetry-database-only-in-store",
      comment:
        "The telemetry database is reached through server/store's interface only (better-sqlite3 also backs the control plane's Prisma adapter in server/store/control). Tests and benchmarks may open a data file directly.",
      severity: "error",
      from: { path: "^(server|app|components|lib)/", pathNot: ["^server/store/", "\\.test\\.ts$"] },
      to: { path: "node_modules/better-sqlite3/" },
    },
    {
      name: "database-clients-only-in-store",
      comment:
        "Database drivers and the generated Prisma clients are opened in server/store only; other stages get the control plane's client (ControlDb) from server/store/index.ts.",
      severity: "error",
      from: { path: "^(server|app|components|lib)/", pathNot: ["^server/store/"] },
      to: { path: ["^generated/", "node_modules/(@prisma/adapter-|@clickhouse/client|pg/)"] },
    },
    {
      name: "stage-data-only-through-store-interface",
      comment:
        "Stages reach telemetry through server/store/index.ts (the TelemetryStore interface), never a backend's files.",
      severity: "error",
      from: { path: "^(server|app|components|lib)/", pathNot: ["^server/store/", "\\.test\\.ts$"] },
      to: { path: "^server/store/(sqlite|clickhouse)/" },
    },
    {
      name: "no-circular-stages",
      severity: "error",
      from: { path: "^server/" },
      to: { circular: true, pathNot: "^server/[^/]+/index\\.ts$" },
    },
  ],
  options: {
    // node_modules and the generated Prisma clients stay in the graph as leaves (not followed) so
    // rules can name them.
    doNotFollow: { path: ["node_modules", "^generated/"] },
    exclude: { path: "(^|/)(\\.next|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"] },
  },
};
