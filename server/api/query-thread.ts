import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../platform/config";
import { createLogger } from "../platform/logger";
import { getSpanClockMs, recordSpan, startSelfTracing, withRemoteParent } from "../platform/self-tracing";
import { openTelemetryReader } from "../store";
import { createDispatcher } from "./router";
import { offloadableRoutes } from "./routes";
import { createApiContext } from "./context";

/**
 * The query thread: read-only telemetry routes (services, map, traces, metrics, findings)
 * run here on their own read connection, so a long query never stalls OTLP ingest or the
 * UI on the main thread. Answers are serialized here too. A self-traced query carries its
 * traceparent; the wait for this thread and the work here join the request's trace.
 */
const config = workerData.config as Config;
await startSelfTracing(config, "query", workerData.selfTracing);
const ctx = createApiContext(config, createLogger(config.CARTOGRAPH_LOG_LEVEL, "cartograph-query"), openTelemetryReader(config.CARTOGRAPH_DATA_DIR));
const dispatch = createDispatcher(offloadableRoutes, ctx);

interface QueryMessage {
  id: number;
  pathAndQuery: string;
  traceparent?: string;
  sentAtMs?: number;
}

parentPort!.on("message", async (m: QueryMessage) => {
  if (m.traceparent && m.sentAtMs) recordSpan(m.traceparent, "api.queue_wait", m.sentAtMs, getSpanClockMs(), { "cartograph.thread": "query" });
  const answer = (await withRemoteParent(m.traceparent, () => dispatch(m.pathAndQuery))) ?? { status: 404, json: JSON.stringify({ error: { code: "not-found", message: "no route" } }) };
  // Says where the answer came from (operators, and the test that the offload happens).
  parentPort!.postMessage({ id: m.id, answer: { ...answer, headers: { ...answer.headers, "x-cartograph-thread": "query" } } });
});
parentPort!.postMessage({ ready: true });
