/**
 * `npm start`: builds the UI when there is no build or the sources changed since the last
 * one, then runs the server in this process. With CARTOGRAPH_UI=false it skips the build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../server/platform/config";
import { findProjectRoot } from "../server/platform/module-paths";

// The project folder from the source tree and from dist/scripts/start.js alike.
const root = findProjectRoot();
const UI_SOURCES = ["app", "components", "lib", "public", "next.config.ts", "package.json"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, e)));
  return max;
}

function needsBuild(): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return UI_SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

let uiEnabled = false;
try {
  uiEnabled = loadConfig().CARTOGRAPH_UI;
} catch {
  // Invalid configuration: server/main.ts reports it with the full message and exits.
}
if (uiEnabled && needsBuild()) {
  console.log("cartograph: building the UI (first start or sources changed)...");
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const r = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    console.error(
      "cartograph: the UI build failed; see above. CARTOGRAPH_UI=false starts the API and OTLP receivers only.",
    );
    process.exit(r.status ?? 1);
  }
}
await import("../server/main");
