/**
 * Self-tracing's overhead from its parts, each measured on its own where the noise of two loaded
 * servers does not reach it:
 * - the instrumentation of one ingest request, off and at the ratio (self-tracing-cost.ts, one
 *   process each, CPU of every thread over thousands of requests);
 * - the ingest of its own traces: real export requests, captured from a server loaded with the
 *   fleet and exporting to a sink, posted again (fresh ids) to an idle server, CPU per span.
 * Their sum per fleet request, over the fleet request's own cost, is the overhead these parts
 * explain. What it leaves out (effects on the server's other work: CPU caches, the V8 shapes its
 * hot functions were compiled for) only the comparison of two whole servers can show.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { startServer, type RunningServer } from "../../tests/helpers/start-server";
import { SELF_TRACE_HEADER } from "../../server/platform/self-tracing-target";
import { postBody } from "./post-protobuf";
import { cpuSeconds } from "./proc-stats";

const ROOT = path.resolve(import.meta.dirname, "../..");

type Load = (url: string, ms: number, concurrency: number) => Promise<{ accepted: number }>;

/**
 * An OTLP/HTTP endpoint that answers every export 200; `onBody` sees each request body (without
 * it, bodies are drained unread).
 */
export async function startSink(onBody?: (body: Buffer) => void): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    if (onBody) req.on("data", (c: Buffer) => chunks.push(c));
    else req.resume();
    req.on("end", () => {
      onBody?.(Buffer.concat(chunks));
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces` };
}

/**
 * A server exporting to a sink for `ms` of the fleet's load: its export bodies, the spans in
 * them, and the fleet requests acknowledged meanwhile.
 */
export async function captureExports(
  env: Record<string, string>,
  load: Load,
  ms: number,
  concurrency: number,
): Promise<{ bodies: Buffer[]; spans: number; fleetRequests: number }> {
  const bodies: Buffer[] = [];
  let keeping = false;
  const sink = await startSink((body) => void (keeping && bodies.push(body)));
  const server = await startServer({
    env: { ...env, CARTOGRAPH_SELF_TRACES: sink.url },
    nodeArgs: ["scripts/launch.mjs"],
    readyTimeoutMs: 300_000,
  });
  try {
    await load(`${server.otlpHttpUrl}/v1/traces`, 3000, concurrency); // warm-up, not kept
    await new Promise((r) => setTimeout(r, 5500)); // the warm-up's exports
    keeping = true;
    const { accepted } = await load(`${server.otlpHttpUrl}/v1/traces`, ms, concurrency);
    await new Promise((r) => setTimeout(r, 5500)); // the last exports of the measured load
    keeping = false;
    return { bodies, spans: bodies.reduce((n, b) => n + spansIn(b), 0), fleetRequests: accepted };
  } finally {
    await server.stop();
    sink.server.close();
  }
}

function spansIn(body: Buffer): number {
  const doc = JSON.parse(body.toString()) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
  let n = 0;
  for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** The body with every trace and span id replaced (the store keeps a span id once). */
function withFreshIds(body: Buffer): Buffer {
  return Buffer.from(
    body
      .toString()
      .replace(
        /"(traceId|spanId|parentSpanId)":"([0-9a-f]+)"/g,
        (_m, key: string, hex: string) => `"${key}":"${randomBytes(hex.length / 2).toString("hex")}"`,
      ),
  );
}

/** One OTLP/JSON request holding every span of `bodies`. */
function merged(bodies: Buffer[]): Buffer {
  const resourceSpans = bodies.flatMap((b) => (JSON.parse(b.toString()) as { resourceSpans: unknown[] }).resourceSpans);
  return Buffer.from(JSON.stringify({ resourceSpans }));
}

type IngestCost = { cpuMicrosPerSpan: number; cpuMillisPerRequest: number; requests: number };

/**
 * CPU a server with self-tracing off spends per self-trace span it ingests, marked as
 * self-traces (not traced), its idle CPU over the same time taken off. `alone`: the exports
 * posted one after another `repeats` times, as the exporters send them to an idle server, each
 * its own transaction (an upper bound); `merged`: all of them in one request per repeat, as
 * under load an export shares the transaction of the fleet requests beside it (a lower bound:
 * a request's fixed costs are paid once). A server of its own, started for this: one that was
 * just loaded still lays out its map and flushes rollups.
 */
export async function measureSelfIngest(
  env: Record<string, string>,
  bodies: Buffer[],
  spans: number,
  repeats: number,
): Promise<{ alone: IngestCost; merged: IngestCost }> {
  const server = await startServer({
    env: { ...env, CARTOGRAPH_SELF_TRACES: "off" },
    nodeArgs: ["scripts/launch.mjs"],
    readyTimeoutMs: 300_000,
  });
  try {
    await postAndMeasure(server, [bodies], spans); // warm-up
    return {
      alone: await postAndMeasure(
        server,
        Array.from({ length: repeats }, () => bodies),
        spans,
      ),
      merged: await postAndMeasure(
        server,
        Array.from({ length: repeats }, () => [merged(bodies)]),
        spans,
      ),
    };
  } finally {
    await server.stop();
  }
}

/** Posts each round's requests one after another (fresh ids); CPU per span (`spansPerRound`) and per request. */
async function postAndMeasure(server: RunningServer, rounds: Buffer[][], spansPerRound: number): Promise<IngestCost> {
  const pid = server.process.pid!;
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL(`${server.otlpHttpUrl}/v1/traces`);
  const post = async (body: Buffer) => {
    const status = await postBody(target, agent, body, {
      "content-type": "application/json",
      [SELF_TRACE_HEADER]: "1",
    });
    if (status !== 200) throw new Error(`self-trace export answered ${status}`);
  };
  const settle = () => new Promise((r) => setTimeout(r, 2500)); // the rollup flush after the last commit
  await settle();
  const idleStart = Date.now();
  const idle0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, 3000));
  const idlePerMs = (cpuSeconds(pid) - idle0) / (Date.now() - idleStart);
  const prepared = rounds.map((round) => round.map(withFreshIds));
  const start = Date.now();
  const c0 = cpuSeconds(pid);
  for (const round of prepared) for (const b of round) await post(b);
  await settle();
  const cpu = cpuSeconds(pid) - c0 - idlePerMs * (Date.now() - start);
  agent.destroy();
  const requests = prepared.reduce((n, r) => n + r.length, 0);
  return {
    cpuMicrosPerSpan: Math.round(((cpu * 1e6) / (spansPerRound * rounds.length)) * 10) / 10,
    cpuMillisPerRequest: Math.round(((cpu * 1e3) / requests) * 100) / 100,
    requests,
  };
}

/**
 * scripts/bench/self-tracing-cost.ts in a process of its own per run: CPU µs per ingest
 * request's instrumentation, the median of `runs`.
 */
export function instrumentationCost(ratio: string, runs = 3): number {
  const once = () => {
    const out = execFileSync(
      process.execPath,
      ["--import", "./scripts/runtime/register.mjs", "scripts/bench/self-tracing-cost.ts", ratio],
      { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    return (JSON.parse(out.trim().split("\n").pop()!) as { cpuMicrosPerRequest: number }).cpuMicrosPerRequest;
  };
  const xs = Array.from({ length: runs }, once).sort((a, b) => a - b);
  return xs[Math.floor(runs / 2)]!;
}
