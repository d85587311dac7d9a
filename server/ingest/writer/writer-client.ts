import "server-only";
import { Worker } from "node:worker_threads";
import type { Config } from "../../platform/config";
import type { Logger } from "../../platform/logger";
import { getSelfTracingShared } from "../../platform/self-tracing";
import { resolveWorkerEntry } from "../../platform/module-paths";
import type { Encoding } from "../../decode";
import type { ExportResult, FromWriter, Signal, TraceFormat, WriterStats } from "./protocol";

export type SubmitResult = ExportResult | { ok: false; status: 503; message: string; overloaded: true };

export interface WriterClient {
  /** `traceparent`: the request's sampled self-trace span; the writer's spans join it. */
  submit(
    signal: Signal,
    encoding: Encoding,
    body: Uint8Array,
    format?: TraceFormat,
    traceparent?: string,
  ): Promise<SubmitResult>;
  /** Whether a request of `bytes` would be refused right now (checked before reading a body). */
  isOverloaded(bytes?: number): boolean;
  queueDepth(): { requests: number; bytes: number };
  latestStats(): WriterStats | null;
  /** The writer thread's event-loop time so far, busy and idle (ms; restarts at 0 with a new thread). */
  loopTime(): { active: number; idle: number };
  /** Called with every stats message, in order (some carry only what changed since the last). */
  onStats(listen: (s: WriterStats) => void): void;
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * Main-thread side of the writer thread. The queue between them is bounded in requests and
 * bytes: past either bound, submit answers 503 at once instead of letting memory grow.
 * If the thread dies, everything in flight answers 503 (never acknowledged, so the client
 * retries) and a new thread starts on the same database.
 */
export function startWriter(config: Config, log: Logger): Promise<WriterClient> {
  let worker: Worker;
  let nextId = 1;
  let inflightBytes = 0;
  let isReady = false;
  let closing = false;
  let stats: WriterStats | null = null;
  const statsListeners: ((s: WriterStats) => void)[] = [];
  const waiting = new Map<number, { resolve: (r: SubmitResult) => void; bytes: number }>();
  let onClosed: (() => void) | null = null;

  return new Promise((resolveStart, rejectStart) => {
    const spawn = () => {
      worker = new Worker(resolveWorkerEntry("server/ingest/writer/writer-worker.ts"), {
        workerData: { config, selfTracing: getSelfTracingShared() },
        execArgv: process.execArgv,
        // Young generation of 24 MiB (8 MiB semi-spaces): the writer's stages on one thread
        // (scripts/bench/ingest-stages.ts with --max-semi-space-size) cost the same per span
        // as with 21 MiB semi-spaces (64 MiB here before) and the process kept ~50 MiB less
        // resident; 4 MiB semi-spaces made decoding slower.
        resourceLimits: { maxYoungGenerationSizeMb: 24 },
      });
      worker.on("message", (m: FromWriter) => {
        if (m.type === "ready") {
          isReady = true;
          resolveStart(client);
        } else if (m.type === "result") {
          const w = waiting.get(m.id);
          if (w) {
            waiting.delete(m.id);
            inflightBytes -= w.bytes;
            w.resolve(m.result);
          }
        } else if (m.type === "stats") {
          stats = m.stats;
          for (const listen of statsListeners) listen(m.stats);
        } else if (m.type === "closed") {
          onClosed?.();
        }
      });
      worker.on("error", (e) => {
        log.error("writer thread failed", { error: e.message, stack: e.stack });
        if (!isReady) rejectStart(e);
      });
      worker.on("exit", (code) => {
        isReady = false;
        for (const [id, w] of waiting) {
          w.resolve({ ok: false, status: 503, message: "writer restarting, retry shortly" });
          waiting.delete(id);
        }
        inflightBytes = 0;
        if (!closing) {
          log.error("writer thread exited; restarting", { code });
          setTimeout(spawn, 200);
        } else {
          onClosed?.();
        }
      });
    };

    const client: WriterClient = {
      isOverloaded(bytes = 0) {
        return (
          !isReady ||
          waiting.size >= config.CARTOGRAPH_QUEUE_MAX_REQUESTS ||
          inflightBytes + bytes > config.CARTOGRAPH_QUEUE_MAX_BYTES
        );
      },
      submit(signal, encoding, body, format = "otlp", traceparent) {
        if (client.isOverloaded(body.byteLength)) {
          return Promise.resolve({
            ok: false,
            status: 503,
            message: "write queue full, retry shortly",
            overloaded: true,
          });
        }
        const id = nextId++;
        inflightBytes += body.byteLength;
        return new Promise<SubmitResult>((resolve) => {
          waiting.set(id, { resolve, bytes: body.byteLength });
          // Copy into a transferable buffer only when the body shares a pooled allocation.
          const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
          worker.postMessage({ type: "export", id, signal, encoding, format, body: own, traceparent }, [
            own.buffer as ArrayBuffer,
          ]);
        });
      },
      queueDepth: () => ({ requests: waiting.size, bytes: inflightBytes }),
      latestStats: () => stats,
      loopTime: () => {
        const { active, idle } = worker.performance.eventLoopUtilization();
        return { active, idle };
      },
      onStats: (listen) => void statsListeners.push(listen),
      ready: () => isReady,
      close() {
        closing = true;
        return new Promise<void>((resolve) => {
          onClosed = resolve;
          worker.postMessage({ type: "shutdown" });
          setTimeout(() => void worker.terminate().then(() => resolve()), 10_000).unref();
        });
      },
    };
    spawn();
  });
}
