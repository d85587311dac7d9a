import "server-only";
import { Worker } from "node:worker_threads";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import { getSelfTracingShared, getSpanClockMs, getTraceparent } from "../platform/self-tracing";
import type { Answer, Offloader } from "./router";

/**
 * Main-thread side of the query thread. Queries queue in order; when the thread is down
 * (starting or restarting after a crash) the router runs the query itself, and requests in
 * flight when it dies answer 503 (retryable).
 */
export function startQueryThread(config: Config, log: Logger): { offload: Offloader; close: () => Promise<void> } {
  let worker: Worker | null = null;
  let ready = false;
  let closing = false;
  let nextId = 1;
  const waiting = new Map<number, (a: Answer) => void>();

  const spawn = () => {
    const w = new Worker(new URL("./query-thread.ts", import.meta.url), { workerData: { config, selfTracing: getSelfTracingShared() }, execArgv: process.execArgv });
    worker = w;
    w.on("message", (m: { ready?: boolean; id?: number; answer?: Answer }) => {
      if (m.ready) ready = true;
      else if (m.id !== undefined) {
        waiting.get(m.id)?.(m.answer!);
        waiting.delete(m.id);
      }
    });
    w.on("error", (e) => log.error("query thread failed", { error: e.message }));
    w.on("exit", (code) => {
      ready = false;
      for (const [id, resolve] of waiting) {
        resolve({ status: 503, json: JSON.stringify({ error: { code: "unavailable", message: "query thread restarting, retry shortly" } }) });
        waiting.delete(id);
      }
      if (!closing) {
        log.error("query thread exited; restarting", { code });
        setTimeout(spawn, 200);
      }
    });
  };
  spawn();

  return {
    offload(pathAndQuery) {
      if (!ready || !worker) return null;
      const id = nextId++;
      return new Promise<Answer>((resolve) => {
        waiting.set(id, resolve);
        const traceparent = getTraceparent();
        worker!.postMessage(traceparent ? { id, pathAndQuery, traceparent, sentAtMs: getSpanClockMs() } : { id, pathAndQuery });
      });
    },
    async close() {
      closing = true;
      await worker?.terminate();
    },
  };
}
