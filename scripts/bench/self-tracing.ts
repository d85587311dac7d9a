/**
 * Self-tracing overhead: the ingest bench's load (pre-encoded 512-span OTLP/protobuf
 * batches, closed loop) against two servers started side by side, one with
 * CARTOGRAPH_SELF_TRACES=off and one with `self` at the default ratio (0.1). Each round loads
 * them one at a time in the order off, self, self, off (default; BENCH_SELF_TRACES_ORDER=
 * simultaneous loads both at once, which on 2 cores makes two servers and two generators
 * thrash). BENCH_CONCURRENCY sets the connections per generator (4). Reported: server CPU per
 * stored fleet span (all threads; the self-traces a server stores itself are not counted as
 * fleet spans but their cost is in its CPU) and the ratio self/off, with a 95 % interval over
 * the rounds. Settings: BENCH_SELF_TRACES_RATIO (the `self` server's ratio; `off` runs both
 * servers off, an A/A check of the bench itself); BENCH_PROFILE_DIR (CPU profiles of both, and
 * the share of busy CPU spent in self-tracing code, see profile-share.ts); BENCH_SELF_TRACES_TARGET=sink
 * (the `self` server exports to a sink in the bench instead of into itself).
 */
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer, type RunningServer } from "../../tests/helpers/start-server";
import { cpuSeconds } from "./proc-stats";
import { measureProfileShare } from "./profile-share";
import { countSpansByService } from "../../server/store/sqlite";

const ROOT = path.resolve(import.meta.dirname, "../..");

function runLoad(url: string, ms: number, concurrency: number): Promise<{ accepted: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "./scripts/runtime/register.mjs",
        "scripts/bench/load-generator.ts",
        url,
        String(ms),
        String(concurrency),
      ],
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
}

function countFleetSpans(server: RunningServer): number {
  const db = new Database(path.join(server.dataDir, "telemetry.db"), { readonly: true });
  try {
    let n = 0;
    for (const [svc, c] of countSpansByService(db)) if (svc !== "cartograph") n += c;
    return n;
  } finally {
    db.close();
  }
}

function countSelfSpans(server: RunningServer): number {
  const db = new Database(path.join(server.dataDir, "telemetry.db"), { readonly: true });
  try {
    return countSpansByService(db).get("cartograph") ?? 0;
  } finally {
    db.close();
  }
}

interface Phase {
  cpuSeconds: number;
  stored: number;
}

/** An OTLP/HTTP endpoint that accepts and drops whatever it is sent. */
async function startSink(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces` };
}

/** Loads the given servers at once for `seconds`; CPU and stored fleet spans of each. */
async function measureAtOnce(servers: RunningServer[], seconds: number, concurrency: number): Promise<Phase[]> {
  const before = servers.map((s) => ({ stored: countFleetSpans(s), cpu: cpuSeconds(s.process.pid!) }));
  await Promise.all(servers.map((s) => runLoad(`${s.otlpHttpUrl}/v1/traces`, seconds * 1000, concurrency)));
  await new Promise((r) => setTimeout(r, 300)); // the last commits and rollup flush
  return servers.map((s, i) => ({
    cpuSeconds: cpuSeconds(s.process.pid!) - before[i]!.cpu,
    stored: countFleetSpans(s) - before[i]!.stored,
  }));
}

const addPhases = (a: Phase, b: Phase): Phase => ({
  cpuSeconds: a.cpuSeconds + b.cpuSeconds,
  stored: a.stored + b.stored,
});

/**
 * One round: both servers loaded together (`simultaneous`: same machine state, but two servers
 * and two generators share the cores), or one at a time in the order off, self, self, off
 * (`abba`: each server has the machine to itself, and a drift in background load that is linear
 * over the round weighs on both alike).
 */
async function measureRound(
  off: RunningServer,
  on: RunningServer,
  seconds: number,
  concurrency: number,
  order: "simultaneous" | "abba",
): Promise<[Phase, Phase]> {
  if (order === "simultaneous") return (await measureAtOnce([off, on], seconds, concurrency)) as [Phase, Phase];
  const half = seconds / 2;
  const [a1] = await measureAtOnce([off], half, concurrency);
  const [b1] = await measureAtOnce([on], half, concurrency);
  const [b2] = await measureAtOnce([on], half, concurrency);
  const [a2] = await measureAtOnce([off], half, concurrency);
  return [addPhases(a1!, a2!), addPhases(b1!, b2!)];
}

export async function benchSelfTracing(
  seconds = Number(process.env.BENCH_SECONDS ?? 10),
  rounds = Number(process.env.BENCH_ROUNDS ?? 3),
  concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4),
  // `off`: both servers off, an A/A run that shows the bench's own bias and spread.
  ratioSetting = process.env.BENCH_SELF_TRACES_RATIO ?? "0.1",
  order: "simultaneous" | "abba" = process.env.BENCH_SELF_TRACES_ORDER === "simultaneous" ? "simultaneous" : "abba",
) {
  const common = {
    CARTOGRAPH_ROLLUP_FLUSH_MS: "2000",
    CARTOGRAPH_LOG_LEVEL: "warn",
    CARTOGRAPH_SELF_TRACES_RATIO: ratioSetting === "off" ? "0.1" : ratioSetting,
  };
  // The compiled server `npm start` runs (as the ingest bench does); BENCH_PROFILE_DIR writes a
  // CPU profile per thread of each server (`off-*` / `self-*` sub-folders).
  const profile = process.env.BENCH_PROFILE_DIR;
  const launch = (name: string, mode: string) =>
    startServer({
      env: { ...common, CARTOGRAPH_SELF_TRACES: mode },
      nodeArgs: [
        ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${path.join(profile, name)}`] : []),
        "scripts/launch.mjs",
      ],
      readyTimeoutMs: 300_000,
    });
  // BENCH_SELF_TRACES_TARGET=sink: the `self` server exports to a sink in this process instead of
  // its own receiver (tells the cost of ingesting its own traces from the cost of tracing).
  const sink = process.env.BENCH_SELF_TRACES_TARGET === "sink" ? await startSink() : null;
  const target = sink ? sink.url : "self";
  const off = await launch("off", "off");
  const on = await launch("self", ratioSetting === "off" ? "off" : target);
  let result;
  try {
    for (const s of [off, on]) await runLoad(`${s.otlpHttpUrl}/v1/traces`, 2000, concurrency); // warm-up
    const totals = { off: { cpuSeconds: 0, stored: 0 }, self: { cpuSeconds: 0, stored: 0 } };
    const perRound: { offMicros: number; selfMicros: number; ratio: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await measureRound(off, on, seconds, concurrency, order);
      totals.off.cpuSeconds += a.cpuSeconds;
      totals.off.stored += a.stored;
      totals.self.cpuSeconds += b.cpuSeconds;
      totals.self.stored += b.stored;
      const offMicros = (a.cpuSeconds * 1e6) / Math.max(1, a.stored);
      const selfMicros = (b.cpuSeconds * 1e6) / Math.max(1, b.stored);
      perRound.push({
        offMicros: round(offMicros),
        selfMicros: round(selfMicros),
        ratio: round(selfMicros / offMicros, 3),
      });
    }
    await new Promise((r) => setTimeout(r, 2500)); // the last self-trace exports
    const offMicros = (totals.off.cpuSeconds * 1e6) / Math.max(1, totals.off.stored);
    const selfMicros = (totals.self.cpuSeconds * 1e6) / Math.max(1, totals.self.stored);
    const ratios = perRound.map((p) => p.ratio).sort((x, y) => x - y);
    result = {
      ratio: ratioSetting,
      phases: { seconds, rounds, concurrency, order },
      off: { cpuMicrosPerStoredSpan: round(offMicros), storedSpans: totals.off.stored },
      self: {
        cpuMicrosPerStoredSpan: round(selfMicros),
        storedSpans: totals.self.stored,
        selfSpansStored: countSelfSpans(on),
      },
      perRound,
      overhead: {
        totalRatio: round(selfMicros / offMicros, 3),
        medianRoundRatio: ratios[Math.floor(ratios.length / 2)],
        roundRatio95: confidence95(ratios),
      },
    };
  } finally {
    await Promise.all([off.stop(), on.stop()]); // the profiles are written as the servers exit
    sink?.server.close();
  }
  if (!profile) return result;
  // The same attribution on the server with self-tracing off shows what it claims wrongly.
  const [offShare, selfShare] = ["off", "self"].map((d) => measureProfileShare(path.join(profile, d), isSelfTracing));
  return {
    ...result,
    profileShare: { off: offShare, self: selfShare, net: round(selfShare!.share - offShare!.share, 4) },
  };
}

/** Self-tracing's own code in a profile: the OpenTelemetry packages, the context store and Cartograph's wrappers. */
const SELF_TRACING_FUNCTIONS = new Set([
  "withSpan",
  "withRemoteParent",
  "recordSpan",
  "getTraceparent",
  "getActiveTraceIds",
  "getSpanClockMs",
  "sampledContext",
  "endFailed",
  "withoutTracing",
  "createSelfTracer",
]);
const isSelfTracing = (f: { url: string; functionName: string }): boolean =>
  f.url.includes("/@opentelemetry/") || f.url === "node:async_hooks" || SELF_TRACING_FUNCTIONS.has(f.functionName);

/** Student's t quantile (two-sided 95 %) for n - 1 degrees of freedom (2.0, slightly low, beyond 15). */
const T95 = [NaN, 12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18, 2.16, 2.14, 2.13];

/**
 * Mean of the per-round ratios with its 95 % confidence interval: on a shared machine single
 * rounds swing by ±10 %, so a difference is only shown when the interval excludes it.
 */
function confidence95(xs: number[]): { mean: number; low: number; high: number } | null {
  const n = xs.length;
  if (n < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const half = ((T95[n - 1] ?? 2.0) * sd) / Math.sqrt(n);
  return { mean: round(mean, 3), low: round(mean - half, 3), high: round(mean + half, 3) };
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
