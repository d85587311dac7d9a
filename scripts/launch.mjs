// `npm start`: compiles the server into dist/ when it is missing or older than its sources
// (a fresh clone after `npm install` needs nothing else), then runs the compiled program,
// which builds the UI the same way (scripts/start.ts). Plain JavaScript, no TypeScript loader.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildServer, isServerBuildStale } from "./build/build-server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
if (isServerBuildStale(root)) {
  console.log("cartograph: compiling the server (first start or sources changed)...");
  await buildServer(root);
}
process.setSourceMapsEnabled(true);
await import(pathToFileURL(path.join(root, "dist/scripts/start.js")).href);
