import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../platform/config";
import { createLogger } from "../platform/logger";
import { getSpanClockMs, recordSpan, startSelfTracing, withRemoteParent } from "../platform/self-tracing";
import { openTelemetryStore } from "../store";
import { connectControlDb, resolveControlDb } from "../store";
import { createTelemetryAlertData } from "../alerting";
import { createDispatcher } from "./router";
import { offloadableRoutes } from "./routes";
import { createApiContext } from "./context";
import type { FromQueryThread, ToQueryThread } from "./query-protocol";

/**
 * A query thread: read-only telemetry routes (services, map, traces, metrics, findings) and
 * alert evaluation's reads run here on their own read connection, so a long query never
 * stalls OTLP ingest, the UI or the API on the main thread. Answers are serialized here too.
 * The main thread terminates a thread whose read overruns its budget (query-pool.ts). A
 * self-traced query carries its traceparent; the wait for a thread and the work join its trace.
 */
const config = workerData.config as Config;
await startSelfTracing(config, "query", workerData.selfTracing);
const log = createLogger(config.CARTOGRAPH_LOG_LEVEL, "cartograph-query");
// The thread's own control-plane client (the main thread migrated it): findings and coupling
// alert rules read the architecture policy every instance shares.
const control = connectControlDb(resolveControlDb(config.CARTOGRAPH_DATA_DIR, config.CARTOGRAPH_CONTROL_DATABASE_URL), {
  poolMax: 2,
});
const ctx = createApiContext(config, log, await openTelemetryStore(config, "reader"), control);
const dispatch = createDispatcher(offloadableRoutes, ctx);
const alertData = createTelemetryAlertData(ctx.telemetry, ctx.policy);
const post = (m: FromQueryThread) => parentPort!.postMessage(m);

parentPort!.on("message", async (m: ToQueryThread) => {
  if (m.kind === "alert") {
    try {
      const fn = alertData[m.call.method] as (...a: unknown[]) => Promise<unknown>;
      post({ id: m.id, value: await fn(...m.call.args) });
    } catch (e) {
      log.error("alert query failed", { method: m.call.method, error: (e as Error).message });
      post({ id: m.id, error: `query failed: ${(e as Error).message}` });
    }
    return;
  }
  if (m.traceparent && m.sentAtMs)
    recordSpan(m.traceparent, "api.queue_wait", m.sentAtMs, getSpanClockMs(), { "cartograph.thread": "query" });
  const answer = (await withRemoteParent(m.traceparent, () => dispatch(m.pathAndQuery))) ?? {
    status: 404,
    json: JSON.stringify({ error: { code: "not-found", message: "no route" } }),
  };
  // Says where the answer came from (operators, and the test that the offload happens).
  post({ id: m.id, answer: { ...answer, headers: { ...answer.headers, "x-cartograph-thread": "query" } } });
});
post({ ready: true });
