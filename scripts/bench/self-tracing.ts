/**
 * Self-tracing overhead: the ingest bench's load (pre-encoded 512-span OTLP/protobuf
 * batches, closed loop) against two servers started side by side, one with
 * CARTOGRAPH_SELF_TRACES=off and one with `self` at the default ratio (0.1).
 * BENCH_SELF_TRACES_ORDER says how a round loads them: `abba` (default) one at a time in the
 * order off, self, self, off; `pinned` both at once, each server with its load generator bound to
 * a CPU of its own (taskset), swapping CPUs halfway, so both see the same moment of a noisy
 * machine without thrashing (needs 2 CPUs); `simultaneous` both at once unbound, which on 2 cores
 * makes two servers and two generators thrash. BENCH_CONCURRENCY sets the connections per
 * generator (4). Reported: server CPU per stored fleet span (all threads, and split into the main
 * thread and the rest; a phase's fleet spans are the ones it got acknowledged, and the run fails
 * unless the store holds exactly every acknowledged span at the end; the self-traces a server
 * stores itself are not fleet spans but their cost is in its CPU) and the ratio self/off, with a
 * 95 % interval over the rounds. Settings: BENCH_SELF_TRACES_RATIO (the `self` server's ratio;
 * `off` runs both servers off, an A/A check of the bench itself); BENCH_PROFILE_DIR (CPU profiles
 * of both, and the share of busy CPU spent in self-tracing code, see profile-share.ts);
 * BENCH_SELF_TRACES_TARGET=sink (the `self` server exports to a sink in the bench instead of into
 * itself); BENCH_SELF_TRACES_PRIME (which servers get a real fleet's span shapes during the
 * warm-up, mixed-shapes.ts: `both`, the default, so the comparison is of the tracing and not of one
 * server's compiled code having met a span shape the other's has not; `none`; `self`).
 */
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer, type RunningServer } from "../../tests/helpers/start-server";
import { cpuSeconds, mainThreadCpuSeconds } from "./proc-stats";
import { measureProfileShare } from "./profile-share";
import { countSpansByService } from "../../server/store/sqlite";
import { MIXED_SHAPES_SERVICE, postMixedShapes } from "./mixed-shapes";
import { captureExports, instrumentationCost, measureSelfIngest, startSink } from "./self-tracing-components";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** Runs the load generator for `ms`; with `cpu`, bound to that CPU (taskset). */
function runLoad(url: string, ms: number, concurrency: number, cpu?: number): Promise<{ accepted: number }> {
  return new Promise((resolve, reject) => {
    const node = [process.execPath];
    const p = spawn(
      cpu === undefined ? process.execPath : "taskset",
      [
        ...(cpu === undefined ? [] : ["-c", String(cpu), ...node]),
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
    for (const [svc, c] of countSpansByService(db)) if (svc !== "cartograph" && svc !== MIXED_SHAPES_SERVICE) n += c;
    return n;
  } finally {
    db.close();
  }
}

/** What tells lost spans from uncounted ones: the server's span counters and the stored spans per service. */
async function storeReport(server: RunningServer): Promise<string> {
  const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const counters = metrics
    .split("\n")
    .filter((l) => /^cartograph_(spans_(accepted|rejected)|self_tracing_spans)/.test(l));
  const db = new Database(path.join(server.dataDir, "telemetry.db"), { readonly: true });
  try {
    return `${counters.join(", ")}; stored per service: ${JSON.stringify(Object.fromEntries(countSpansByService(db)))}`;
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

/** Spans in each of the load generator's batches. */
const SPANS_PER_BATCH = 512;

interface Phase {
  cpuSeconds: number;
  /** Of cpuSeconds, the main thread's (HTTP, protobuf framing, handing requests to the writer). */
  mainCpuSeconds: number;
  stored: number;
}

/** Binds every thread of process `pid` (and the threads it starts later) to one CPU. */
function pin(pid: number, cpu: number): void {
  execFileSync("taskset", ["-a", "-p", "-c", String(cpu), String(pid)], { stdio: "ignore" });
}

/**
 * Loads the given servers at once for `seconds`; CPU and stored fleet spans of each. With
 * `cpus`, server i and its load generator are bound to CPU cpus[i].
 */
async function measureAtOnce(
  servers: RunningServer[],
  seconds: number,
  concurrency: number,
  cpus?: number[],
): Promise<Phase[]> {
  if (cpus) servers.forEach((s, i) => pin(s.process.pid!, cpus[i]!));
  const sample = (s: RunningServer) => ({
    cpu: cpuSeconds(s.process.pid!),
    main: mainThreadCpuSeconds(s.process.pid!),
  });
  const before = servers.map(sample);
  const loads = await Promise.all(
    servers.map((s, i) => runLoad(`${s.otlpHttpUrl}/v1/traces`, seconds * 1000, concurrency, cpus?.[i])),
  );
  await new Promise((r) => setTimeout(r, 300)); // the rollup flush of the last commits
  return servers.map((s, i) => {
    const after = sample(s);
    return {
      cpuSeconds: after.cpu - before[i]!.cpu,
      mainCpuSeconds: after.main - before[i]!.main,
      // An acknowledged batch is committed (checked against the store at the end of the run).
      stored: loads[i]!.accepted * SPANS_PER_BATCH,
    };
  });
}

/** CPU µs per stored fleet span of `off` and `self`, all threads, main thread and the rest, with self/off. */
function perSpan(off: Phase, self: Phase) {
  const pair = (f: (p: Phase) => number) => {
    const o = (f(off) * 1e6) / Math.max(1, off.stored);
    const s = (f(self) * 1e6) / Math.max(1, self.stored);
    return { off: o, self: s, ratio: s / o };
  };
  return {
    all: pair((p) => p.cpuSeconds),
    main: pair((p) => p.mainCpuSeconds),
    rest: pair((p) => p.cpuSeconds - p.mainCpuSeconds),
  };
}

const addPhases = (a: Phase, b: Phase): Phase => ({
  cpuSeconds: a.cpuSeconds + b.cpuSeconds,
  mainCpuSeconds: a.mainCpuSeconds + b.mainCpuSeconds,
  stored: a.stored + b.stored,
});

type Order = "simultaneous" | "abba" | "pinned";

/**
 * One round: both servers loaded together (`simultaneous`: same machine state, but two servers
 * and two generators share the cores); together with each server and its generator bound to a
 * CPU of its own, swapping CPUs halfway (`pinned`: same moment and no thrashing, and a difference
 * between the two CPUs weighs on both alike); or one at a time in the order off, self, self, off
 * (`abba`: each server has the machine to itself, and a drift in background load that is linear
 * over the round weighs on both alike).
 */
async function measureRound(
  off: RunningServer,
  on: RunningServer,
  seconds: number,
  concurrency: number,
  order: Order,
): Promise<[Phase, Phase]> {
  if (order === "simultaneous") return (await measureAtOnce([off, on], seconds, concurrency)) as [Phase, Phase];
  if (order === "pinned") {
    const [a1, b1] = await measureAtOnce([off, on], seconds / 2, concurrency, [0, 1]);
    const [b2, a2] = await measureAtOnce([on, off], seconds / 2, concurrency, [0, 1]);
    return [addPhases(a1!, a2!), addPhases(b1!, b2!)];
  }
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
  order: Order = parseOrder(process.env.BENCH_SELF_TRACES_ORDER),
  // Which servers get the mixed span shapes before measuring: `both` (default), `none`, or only
  // the `self` one (with BENCH_SELF_TRACES_RATIO=off, what a new span shape alone costs).
  prime = process.env.BENCH_SELF_TRACES_PRIME ?? "both",
) {
  if (!["both", "none", "self"].includes(prime))
    throw new Error(`BENCH_SELF_TRACES_PRIME: both, none or self, not ${prime}`);
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
    // Warm-up, with the span shapes of a real fleet sent before, between and after (mixed-shapes.ts).
    const primed = prime === "both" ? [off, on] : prime === "self" ? [on] : [];
    const sendShapes = () => Promise.all(primed.map((s) => postMixedShapes(`${s.otlpHttpUrl}/v1/traces`)));
    const warmUp = [0, 0];
    for (const ms of [2000, 4000]) {
      await sendShapes();
      for (const [i, s] of [off, on].entries())
        warmUp[i]! += (await runLoad(`${s.otlpHttpUrl}/v1/traces`, ms, concurrency)).accepted;
    }
    await sendShapes();
    let totals: { off: Phase; self: Phase } | null = null;
    const perRound: { offMicros: number; selfMicros: number; ratio: number; mainRatio: number; restRatio: number }[] =
      [];
    for (let r = 0; r < rounds; r++) {
      const [a, b] = await measureRound(off, on, seconds, concurrency, order);
      totals = totals ? { off: addPhases(totals.off, a), self: addPhases(totals.self, b) } : { off: a, self: b };
      const { all, main, rest } = perSpan(a, b);
      perRound.push({
        offMicros: round(all.off),
        selfMicros: round(all.self),
        ratio: round(all.ratio, 3),
        mainRatio: round(main.ratio, 3),
        restRatio: round(rest.ratio, 3),
      });
    }
    await new Promise((r) => setTimeout(r, 2500)); // the last self-trace exports
    // Phases count acknowledged spans; every one of them must be in the store.
    for (const [i, s] of [off, on].entries()) {
      const acknowledged = warmUp[i]! * SPANS_PER_BATCH + (i === 0 ? totals!.off : totals!.self).stored;
      const stored = countFleetSpans(s);
      if (stored !== acknowledged)
        throw new Error(`server ${i}: ${acknowledged} spans acknowledged, ${stored} stored; ${await storeReport(s)}`);
    }
    const { all, main, rest } = perSpan(totals!.off, totals!.self);
    const sorted = (k: "ratio" | "mainRatio" | "restRatio") => perRound.map((p) => p[k]).sort((x, y) => x - y);
    const ratios = sorted("ratio");
    result = {
      ratio: ratioSetting,
      phases: { seconds, rounds, concurrency, order, prime },
      off: {
        cpuMicrosPerStoredSpan: round(all.off),
        mainThreadMicros: round(main.off),
        storedSpans: totals!.off.stored,
      },
      self: {
        cpuMicrosPerStoredSpan: round(all.self),
        mainThreadMicros: round(main.self),
        storedSpans: totals!.self.stored,
        selfSpansStored: countSelfSpans(on),
      },
      perRound,
      overhead: {
        totalRatio: round(all.ratio, 3),
        medianRoundRatio: ratios[Math.floor(ratios.length / 2)],
        roundRatio95: confidence95(ratios),
        medianRatio95: medianInterval95(ratios),
        // Split by thread: the main thread (HTTP, framing) and the rest (writer, query, V8 and libuv helpers).
        mainThread: { totalRatio: round(main.ratio, 3), roundRatio95: confidence95(sorted("mainRatio")) },
        otherThreads: { totalRatio: round(rest.ratio, 3), roundRatio95: confidence95(sorted("restRatio")) },
      },
      ...(ratioSetting === "off"
        ? {}
        : { fromParts: await measureParts(common, all.off * SPANS_PER_BATCH, concurrency, ratioSetting) }),
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

/**
 * The overhead from its parts (self-tracing-components.ts): the instrumentation per request and
 * the ingest of the self-traces a request brings, over what a fleet request costs the `off` server.
 */
async function measureParts(
  env: Record<string, string>,
  fleetMicrosPerRequest: number,
  concurrency: number,
  ratio: string,
) {
  const { bodies, spans: selfSpans, fleetRequests } = await captureExports(env, runLoad, 12_000, concurrency);
  const ingest = await measureSelfIngest(env, bodies, selfSpans, Math.max(1, Math.ceil(6000 / Math.max(1, selfSpans))));
  const instrumentation = { off: instrumentationCost("off"), on: instrumentationCost(ratio) };
  const selfSpansPerRequest = selfSpans / Math.max(1, fleetRequests);
  const instrumentationShare = (instrumentation.on - instrumentation.off) / fleetMicrosPerRequest;
  const ingestShare = (c: { cpuMicrosPerSpan: number }) =>
    (selfSpansPerRequest * c.cpuMicrosPerSpan) / fleetMicrosPerRequest;
  return {
    instrumentationMicrosPerRequest: instrumentation,
    captured: { fleetRequests, exports: bodies.length, selfSpans, selfSpansPerRequest: round(selfSpansPerRequest, 3) },
    selfIngest: ingest,
    fleetMicrosPerRequest: round(fleetMicrosPerRequest),
    // Instrumentation plus ingest of its own traces, each export merged with others (low) or alone (high).
    overheadRatio: {
      instrumentation: round(instrumentationShare, 4),
      selfIngest: { merged: round(ingestShare(ingest.merged), 4), alone: round(ingestShare(ingest.alone), 4) },
      total: {
        low: round(1 + instrumentationShare + ingestShare(ingest.merged), 4),
        high: round(1 + instrumentationShare + ingestShare(ingest.alone), 4),
      },
    },
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

function parseOrder(v: string | undefined): Order {
  return v === "simultaneous" || v === "pinned" ? v : "abba";
}

/**
 * 95 % interval of the median of sorted `xs` from order statistics (no assumption on the
 * distribution: one round hit by a stall elsewhere on the machine moves it by one rank, not by
 * its size).
 */
function medianInterval95(xs: number[]): { low: number; high: number } | null {
  const n = xs.length;
  if (n < 6) return null;
  // Largest k with P(Binomial(n, 1/2) < k) <= 2.5 %: the interval is [x(k), x(n + 1 - k)] (1-based).
  let k = 0;
  let below = 0;
  const choose = (m: number) => {
    let c = 1;
    for (let i = 1; i <= m; i++) c = (c * (n - m + i)) / i;
    return c;
  };
  while (below + choose(k) / 2 ** n <= 0.025) below += choose(k++) / 2 ** n;
  return { low: xs[Math.max(0, k - 1)]!, high: xs[n - Math.max(1, k)]! };
}

const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
