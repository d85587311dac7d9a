/**
 * Import rules (DESIGN.md, style rule 1), checked by `npm run lint:deps` (part of npm test):
 * client code never imports server/; a server stage imports another stage only through its
 * index.ts. server/platform (config, logger, self-metrics) and server/main.ts, the
 * composition root, are the shared base.
 */
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
      from: { path: "^server/([^/]+)/" },
      to: {
        path: "^server/[^/]+/",
        pathNot: ["^server/$1/", "^server/[^/]+/index\\.ts$", "^server/aggregate/(red|servicegraph)/index\\.ts$", "^server/platform/"],
      },
    },
    {
      name: "no-circular-stages",
      severity: "error",
      from: { path: "^server/" },
      to: { circular: true, pathNot: "^server/[^/]+/index\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|generated|\\.next)/|\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs"] },
  },
};
