/**
 * Memory of the compiled server (`npm start`'s program) under a steady ingest rate: RSS idle,
 * then sampled every 500 ms while a load generator sends 512-span protobuf batches open loop
 * at `rate` batches/s for `seconds`; steady RSS is the median of the second half's samples.
 * Run: `node --import ./scripts/runtime/register.mjs scripts/bench/ingest-memory.ts [rate] [seconds]`
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { startServer } from "../../tests/helpers/start-server";
import { cpuSeconds, memoryMiB } from "./proc-stats";

const ROOT = path.resolve(import.meta.dirname, "../..");
const rate = Number(process.argv[2] ?? 20);
const seconds = Number(process.argv[3] ?? 30);

const server = await startServer({
  env: { CARTOGRAPH_ROLLUP_FLUSH_MS: "2000", CARTOGRAPH_LOG_LEVEL: "warn" },
  nodeArgs: ["scripts/launch.mjs"],
  readyTimeoutMs: 300_000,
});
const pid = server.process.pid!;
try {
  await new Promise((r) => setTimeout(r, 3000));
  const idle = memoryMiB(pid).rss;
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(memoryMiB(pid).rss), 500);
  const c0 = cpuSeconds(pid);
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "./scripts/runtime/register.mjs",
        "scripts/bench/load-generator.ts",
        `${server.otlpHttpUrl}/v1/traces`,
        String(seconds * 1000),
        "8",
        String(rate),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`load generator exited ${code}`))));
  });
  clearInterval(timer);
  const cpu = cpuSeconds(pid) - c0;
  const sent = JSON.parse(out.trim().split("\n").pop()!) as { accepted: number; shed: number };
  const late = samples.slice(Math.floor(samples.length / 2)).sort((a, b) => a - b);
  const r1 = (v: number) => Math.round(v * 10) / 10;
  console.log(
    JSON.stringify({
      offeredSpansPerSecond: rate * 512,
      acceptedSpansPerSecond: Math.round((sent.accepted * 512) / seconds),
      shedRequests: sent.shed,
      cpuMicrosPerSpan: r1((cpu * 1e6) / Math.max(1, sent.accepted * 512)),
      idleRssMiB: r1(idle),
      steadyRssMiB: r1(late[Math.floor(late.length / 2)] ?? 0),
      peakRssMiB: r1(memoryMiB(pid).peak),
    }),
  );
} finally {
  await server.stop();
}
