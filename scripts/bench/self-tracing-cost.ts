/**
 * In-process cost of the instrumentation of one ingest request at a given ratio: the main
 * thread's spans (ingest root, read, acknowledge), the traceparent for the writer and, for
 * sampled requests, the writer's five recorded spans, exported for real to a local OTLP/HTTP
 * sink. Measured with process.cpuUsage over many requests; far less noisy than comparing
 * two servers on a busy machine.
 */
import http from "node:http";
import { loadConfig } from "../../server/platform/config";
import {
  flushSelfTracing,
  getSelfTracingStatus,
  getSpanClockMs,
  getTraceparent,
  recordSpan,
  startSelfTracing,
  withSpan,
} from "../../server/platform/self-tracing";

/** `ratio` null: self-tracing off (the baseline: the same code with the instrumentation idle). */
export async function measureInstrumentationCost(
  ratio: number | null,
  requests = defaultRequests(ratio),
): Promise<{ cpuMicrosPerRequest: number; spansExported: number }> {
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
  const port = (sink.address() as { port: number }).port;
  const mode = ratio === null ? "off" : `http://127.0.0.1:${port}/v1/traces`;
  await startSelfTracing(
    loadConfig({ CARTOGRAPH_SELF_TRACES: mode, CARTOGRAPH_SELF_TRACES_RATIO: String(ratio ?? 0) }),
    "bench",
  );
  const oneRequest = async (): Promise<void> =>
    withSpan(
      "ingest traces",
      { "cartograph.signal": "traces", "cartograph.transport": "http" },
      async (span) => {
        await withSpan("ingest.read", {}, async (s) => s.setAttributes({ "cartograph.request.bytes": 256_000 }));
        const tp = getTraceparent();
        if (tp) {
          const t = getSpanClockMs();
          for (const name of [
            "ingest.decode",
            "ingest.normalize",
            "ingest.queue_wait",
            "ingest.commit",
            "ingest.aggregate",
          ])
            recordSpan(tp, name, t, t + 1, { "cartograph.items": 512 });
        }
        span.setAttributes({ "cartograph.items": 512, "http.response.status_code": 200 });
        withSpan("ingest.acknowledge", {}, () => undefined);
      },
      { kind: "server", root: true },
    );
  for (let i = 0; i < 300; i++) await oneRequest(); // warm-up
  await flushSelfTracing(10_000);
  const exportedBefore = getSelfTracingStatus().spansExported;
  const c0 = process.cpuUsage();
  for (let i = 0; i < requests; i++) await oneRequest();
  await flushSelfTracing(10_000);
  const c = process.cpuUsage(c0);
  sink.close();
  return {
    cpuMicrosPerRequest: Math.round(((c.user + c.system) / requests) * 100) / 100,
    spansExported: getSelfTracingStatus().spansExported - exportedBefore,
  };
}

/** Few enough requests that the sampled spans fit the batch processor's queue (4096): none dropped, every export paid for. */
function defaultRequests(ratio: number | null): number {
  return ratio ? Math.min(20_000, Math.floor(3000 / (8 * ratio))) : 20_000;
}

// Run directly: `node --import ./scripts/runtime/register.mjs scripts/bench/self-tracing-cost.ts off|<ratio>`
// (one process per setting: self-tracing starts once per process).
if (process.argv[1]?.endsWith("self-tracing-cost.ts")) {
  const arg = process.argv[2] ?? "0.1";
  console.log(
    JSON.stringify({ ratio: arg, ...(await measureInstrumentationCost(arg === "off" ? null : Number(arg))) }),
  );
  process.exit(0);
}
