import "server-only";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Where the running code lives. Two layouts run the same sources: TypeScript under a loader
 * (tests, `npm run demo`, benchmarks) and the compiled bundles in dist/ that `npm start` runs
 * (scripts/build/build-server.mjs keeps each entry's path: server/api/query-thread.ts becomes
 * dist/server/api/query-thread.js). This module is inlined into every bundle, so its own URL
 * tells which layout is running.
 */
const here = fileURLToPath(import.meta.url);
const runningFromSource = here.endsWith(".ts");

/** The project folder (the one holding package.json), from either layout. */
export function findProjectRoot(): string {
  let dir = path.dirname(here);
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${here}`);
    dir = parent;
  }
  return dir;
}

/**
 * The entry module of a worker thread, named by its source path from the project root
 * (e.g. "server/ingest/writer/writer-worker.ts"): that file under a loader, its compiled
 * bundle in production.
 */
export function resolveWorkerEntry(sourcePath: string): URL {
  const root = findProjectRoot();
  if (runningFromSource) return pathToFileURL(path.join(root, sourcePath));
  return pathToFileURL(path.join(root, "dist", sourcePath.replace(/\.ts$/, ".js")));
}
