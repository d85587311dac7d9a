// Compiles the server for production: each entry below becomes one ES module bundle under
// dist/ at the same relative path (scripts/start.ts -> dist/scripts/start.js), with every
// package left external (resolved from node_modules at run time, native modules included).
// No TypeScript loader runs in production. `node scripts/build/build-server.mjs` builds;
// with --if-stale it builds only when dist/ is missing or older than the sources.
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The program and its worker threads (see server/platform/module-paths.ts). */
export const SERVER_ENTRIES = [
  "scripts/start.ts",
  "server/ingest/writer/writer-worker.ts",
  "server/api/query-thread.ts",
  "server/alerting/tick-worker.ts",
  "server/query/map-layout/layout-worker.ts",
];
/** What the bundles are made of: a change to any of these makes dist/ stale. */
const SOURCES = ["server", "lib", "generated", "scripts/start.ts", "scripts/build", "package.json", "tsconfig.json"];
const STAMP = "dist/BUILD_INFO.json";

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

export function isServerBuildStale(root = ROOT) {
  const stamp = path.join(root, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

// `server-only` throws unless resolved with the react-server condition; on the server it is
// the empty marker it was meant to be.
const serverOnlyMarker = {
  name: "server-only-marker",
  setup(build) {
    build.onResolve({ filter: /^server-only$/ }, () => ({ path: "server-only", namespace: "empty-module" }));
    build.onLoad({ filter: /.*/, namespace: "empty-module" }, () => ({ contents: "", loader: "js" }));
  },
};

export async function buildServer(root = ROOT) {
  const started = Date.now();
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: SERVER_ENTRIES,
    outbase: ".",
    outdir: "dist",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "linked",
    tsconfig: "tsconfig.json",
    plugins: [serverOnlyMarker],
    logLevel: "warning",
  });
  writeFileSync(
    path.join(root, STAMP),
    JSON.stringify({ builtAt: new Date().toISOString(), entries: SERVER_ENTRIES }, null, 2) + "\n",
  );
  return Date.now() - started;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale") && !isServerBuildStale()) process.exit(0);
  const ms = await buildServer();
  console.log(`cartograph: server compiled into dist/ in ${ms} ms`);
}
