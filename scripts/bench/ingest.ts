/**
 * Ingest benchmark: the same pre-encoded 512-span protobuf batches sent by a load generator
 * in its own process to (a) a floor receiver (receive + full decode + discard) and (b) the
 * real Cartograph server (decode, normalize, store in SQLite, RED + graph aggregation), then
 * (c) Cartograph again at twice its sustainable rate. Reported as ratios from one run.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer } from "../../tests/helpers/start-server";
import { cpuSeconds, memoryMiB } from "./proc-stats";

const ROOT = path.resolve(import.meta.dirname, "../..");
const run = (
  args: string[],
): Promise<{ sent: number; accepted: number; shed: number; other: number; errors: number }> =>
  new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ["--import", "./scripts/runtime/register.mjs", "scripts/bench/load-generator.ts", ...args],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`load generator exited ${code}`)),
    );
  });

export interface IngestBenchResult {
  floor: { spansPerSecond: number; cpuMicrosPerSpan: number; peakRssMiB: number };
  cartograph: {
    acceptedSpansPerSecond: number;
    storedSpansPerSecond: number;
    cpuMicrosPerStoredSpan: number;
    peakRssMiB: number;
    acknowledged: number;
    stored: number;
    shed: number;
  };
  overload: {
    offeredSpansPerSecond: number;
    acceptedSpansPerSecond: number;
    shedRequests: number;
    peakRssMiB: number;
    rssGrowthMiB: number;
    acknowledged: number;
    stored: number;
  };
  ratios: { cpuPerSpanVsFloor: number; storedVsAcknowledged: number };
}

export async function benchIngest(seconds = 20, concurrency = 4): Promise<IngestBenchResult> {
  const SPB = 512;
  // (a) floor
  const floor = spawn(
    process.execPath,
    ["--import", "./scripts/runtime/register.mjs", "scripts/bench/floor-receiver.ts"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "ignore"] },
  );
  const floorPort = await new Promise<number>((r) => floor.stdout!.once("data", (d) => r(JSON.parse(String(d)).port)));
  await run([`http://127.0.0.1:${floorPort}/v1/traces`, "2000", String(concurrency)]); // warm-up
  const f0 = cpuSeconds(floor.pid!);
  const fl = await run([`http://127.0.0.1:${floorPort}/v1/traces`, String(seconds * 500), String(concurrency)]);
  const f1 = cpuSeconds(floor.pid!);
  const floorMem = memoryMiB(floor.pid!);
  floor.kill("SIGTERM");
  const floorSpans = fl.accepted * SPB;

  // (b) Cartograph, closed loop
  // The program users run (`npm start`: the compiled dist/, built here when stale), not the
  // TypeScript loader: the loader adds a hooks thread and transpiled modules to every thread
  // (about 170 MiB of RSS and background CPU that no deployment pays). BENCH_PROFILE_DIR
  // writes a CPU profile per thread (the writer's is the one with writer-worker frames).
  const profile = process.env.BENCH_PROFILE_DIR;
  const server = await startServer({
    env: { CARTOGRAPH_ROLLUP_FLUSH_MS: "2000", CARTOGRAPH_LOG_LEVEL: "warn" },
    nodeArgs: [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), "scripts/launch.mjs"],
    readyTimeoutMs: 300_000,
  });
  const pid = server.process.pid!;
  const count = () => {
    const db = new Database(path.join(server.dataDir, "telemetry.db"), { readonly: true });
    try {
      return db.prepare("SELECT coalesce(sum(spans), 0) FROM span_blocks").pluck().get() as number;
    } finally {
      db.close();
    }
  };
  await run([`${server.otlpHttpUrl}/v1/traces`, "2000", String(concurrency)]); // warm-up
  const warm = count();
  const c0 = cpuSeconds(pid);
  const t0 = Date.now();
  const main = await run([`${server.otlpHttpUrl}/v1/traces`, String(seconds * 1000), String(concurrency)]);
  const elapsed = (Date.now() - t0) / 1000;
  const c1 = cpuSeconds(pid);
  const stored = count() - warm;
  const mainMem = memoryMiB(pid);

  // (c) 2x the sustainable rate, open loop
  const sustainedBatches = main.accepted / elapsed;
  const before = count();
  const rssBefore = memoryMiB(pid).rss;
  const over = await run([
    `${server.otlpHttpUrl}/v1/traces`,
    String(Math.round(seconds * 500)),
    String(concurrency),
    String(Math.max(1, sustainedBatches * 2)),
  ]);
  await new Promise((r) => setTimeout(r, 1500));
  const overStored = count() - before;
  const overMem = memoryMiB(pid);
  await server.stop();

  const floorUs = ((f1 - f0) * 1e6) / Math.max(1, floorSpans);
  const ourUs = ((c1 - c0) * 1e6) / Math.max(1, stored);
  return {
    floor: {
      spansPerSecond: Math.round(floorSpans / seconds / 0.5),
      cpuMicrosPerSpan: round(floorUs),
      peakRssMiB: round(floorMem.peak),
    },
    cartograph: {
      acceptedSpansPerSecond: Math.round((main.accepted * SPB) / elapsed),
      storedSpansPerSecond: Math.round(stored / elapsed),
      cpuMicrosPerStoredSpan: round(ourUs),
      peakRssMiB: round(mainMem.peak),
      acknowledged: main.accepted * SPB,
      stored,
      shed: main.shed,
    },
    overload: {
      offeredSpansPerSecond: Math.round(sustainedBatches * 2 * SPB),
      acceptedSpansPerSecond: Math.round((over.accepted * SPB) / (seconds * 0.5)),
      shedRequests: over.shed,
      peakRssMiB: round(overMem.peak),
      rssGrowthMiB: round(overMem.rss - rssBefore),
      acknowledged: over.accepted * SPB,
      stored: overStored,
    },
    ratios: {
      cpuPerSpanVsFloor: round(ourUs / floorUs),
      storedVsAcknowledged: round((stored + overStored) / Math.max(1, (main.accepted + over.accepted) * SPB), 4),
    },
  };
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
