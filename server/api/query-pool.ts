import "server-only";
import { Worker } from "node:worker_threads";
import type { Config } from "../platform/config";
import type { Logger } from "../platform/logger";
import { resolveWorkerEntry } from "../platform/module-paths";
import type { AlertDataSource } from "../alerting";
import { getSelfTracingShared, getSpanClockMs, getTraceparent } from "../platform/self-tracing";
import type { Answer, Offloader } from "./router";
import type { FromQueryThread, ToQueryThread, AlertCall } from "./query-protocol";

/**
 * Main-thread side of the query threads: a small pool, each thread answering one read at a
 * time on its own read connection. Every read has a budget (CARTOGRAPH_QUERY_TIMEOUT_MS) from
 * the moment it arrives: a read still queued when it runs out answers 503 (busy, retry); a
 * read still running is answered 504 and its thread is terminated and replaced, so one
 * runaway query costs one thread for at most the budget and never stalls the others. The
 * queue is bounded (503 + Retry-After past it). Reads never run on the main thread: until the
 * first thread has loaded (a few seconds after start; longer on a busy machine) /readyz says
 * not ready and reads wait in the queue under the same budget. Each thread holds its own heap
 * and read connection (tens of MiB): threads beyond the first stop after `idleMs` without a
 * read and start again when reads wait for a thread.
 */
export interface PoolHealth {
  ready: boolean;
  threads: number;
  idle: number;
  queued: number;
  timeouts: number;
  restarts: number;
  reason: string;
}

export interface QueryPool {
  offload: Offloader;
  /** Alert evaluation's reads, run in the pool under the same budget. */
  alertData: AlertDataSource;
  health(): PoolHealth;
  close(): Promise<void>;
}

interface Job {
  id: number;
  message: ToQueryThread;
  arrived: number;
  timer: NodeJS.Timeout;
  slot: Slot | null;
  settle(m: FromQueryThread | { failure: Answer }): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  idleTimer?: NodeJS.Timeout;
}

const unavailable = (status: 503 | 504, code: string, message: string): Answer => ({
  status,
  json: JSON.stringify({ error: { code, message } }),
  headers: status === 503 ? { "retry-after": "1" } : {},
});

export function startQueryPool(
  config: Config,
  log: Logger,
  opts: { workerUrl?: URL; /** default 60 s */ idleMs?: number } = {},
): QueryPool {
  const budgetMs = config.CARTOGRAPH_QUERY_TIMEOUT_MS;
  const idleMs = opts.idleMs ?? 60_000;
  /** A stopped thread leaves its index empty. */
  const slots: Array<Slot | undefined> = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closing = false;
  let everReady = false;
  let timeouts = 0;
  let restarts = 0;

  const spawn = (index: number) => {
    const worker = new Worker(opts.workerUrl ?? resolveWorkerEntry("server/api/query-thread.ts"), {
      workerData: { config, selfTracing: getSelfTracingShared() },
      execArgv: process.execArgv,
    });
    const slot: Slot = { worker, ready: false, job: null };
    slots[index] = slot;
    worker.on("message", (m: FromQueryThread) => {
      if ("ready" in m) {
        slot.ready = true;
        everReady = true;
        // Threads start one after another: the first is ready sooner on a busy machine.
        if (slots.length < config.CARTOGRAPH_QUERY_THREADS && !closing) spawn(slots.length);
        pump();
        if (!slot.job && index > 0) stopWhenIdle(slot, index);
        return;
      }
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      job.settle(m);
      pump();
      if (!slot.job && index > 0) stopWhenIdle(slot, index);
    });
    worker.on("error", (e) => log.error("query thread failed", { error: e.message }));
    worker.on("exit", (code) => {
      slot.ready = false;
      const job = slot.job;
      slot.job = null;
      job?.settle({ failure: unavailable(503, "unavailable", "query thread restarting, retry shortly") });
      if (closing || slots[index] !== slot) return;
      restarts++;
      log.error("query thread exited; starting a new one", { code });
      setTimeout(() => !closing && spawn(index), 100);
    });
  };

  const pump = () => {
    for (const slot of slots) {
      if (!slot?.ready || slot.job || queue.length === 0) continue;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      const job = queue.shift()!;
      job.slot = slot;
      slot.job = job;
      slot.worker.postMessage(job.message);
    }
    // Reads wait: start a stopped thread (one at a time; a starting thread takes the queue when ready).
    if (queue.length === 0 || closing || !everReady || slots.some((s) => s && !s.ready)) return;
    const free = [...Array(config.CARTOGRAPH_QUERY_THREADS).keys()].find((i) => !slots[i]);
    if (free !== undefined) spawn(free);
  };

  /** Stops a thread (never the first) that has had no read for `idleMs`. */
  const stopWhenIdle = (slot: Slot, index: number) => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (closing || slot.job || slots[index] !== slot) return;
      slots[index] = undefined;
      void slot.worker.terminate();
    }, idleMs);
    slot.idleTimer.unref();
  };

  /** A runaway read: answer it, and replace the thread that is stuck in it. */
  const expire = (job: Job) => {
    const slot = job.slot;
    if (!slot) {
      queue.splice(queue.indexOf(job), 1);
      job.settle({
        failure: unavailable(503, "busy", `every query thread was busy for ${budgetMs} ms; retry shortly`),
      });
      return;
    }
    timeouts++;
    slot.job = null;
    slot.ready = false;
    job.settle({
      failure: unavailable(
        504,
        "query-timeout",
        `the query ran longer than its ${budgetMs} ms budget and was stopped; ask for a shorter window or fewer results`,
      ),
    });
    log.warn("query over budget; replacing its thread", { budgetMs, request: describe(job.message) });
    const index = slots.indexOf(slot);
    slots[index] = { ...slot, ready: false, job: null };
    void slot.worker.terminate().finally(() => !closing && spawn(index));
    restarts++;
  };

  const submit = (message: Omit<ToQueryThread, "id">, settle: Job["settle"]) => {
    if (queue.length >= config.CARTOGRAPH_QUERY_QUEUE_MAX) {
      settle({ failure: unavailable(503, "busy", "too many queries waiting; retry shortly") });
      return;
    }
    const id = nextId++;
    let done = false;
    const job: Job = {
      id,
      message: { ...message, id } as ToQueryThread,
      arrived: Date.now(),
      slot: null,
      timer: setTimeout(() => expire(job), budgetMs),
      settle: (m) => {
        if (done) return;
        done = true;
        clearTimeout(job.timer);
        settle(m);
      },
    };
    queue.push(job);
    pump();
  };

  spawn(0);

  const callAlert = <T>(method: AlertCall["method"], args: unknown[]): Promise<T> => {
    return new Promise((resolve, reject) => {
      submit({ kind: "alert", call: { method, args } } as Omit<ToQueryThread, "id">, (m) => {
        if ("failure" in m) reject(new Error(JSON.parse(m.failure.json).error.message));
        else if ("error" in m) reject(new Error(m.error));
        else if ("value" in m) resolve(m.value as T);
      });
    });
  };

  return {
    offload(pathAndQuery) {
      // A self-traced query carries its traceparent; the wait and the work join its trace.
      const traceparent = getTraceparent();
      const message = traceparent
        ? { kind: "http", pathAndQuery, traceparent, sentAtMs: getSpanClockMs() }
        : { kind: "http", pathAndQuery };
      return new Promise<Answer>((resolve) =>
        submit(message as Omit<ToQueryThread, "id">, (m) =>
          resolve("failure" in m ? m.failure : "answer" in m ? m.answer : unavailable(503, "unavailable", "no answer")),
        ),
      );
    },
    alertData: {
      serviceRed: (w) => callAlert("serviceRed", [w]),
      operationRed: (w) => callAlert("operationRed", [w]),
      edgeRed: (w) => callAlert("edgeRed", [w]),
      metricValue: (w, q) => callAlert("metricValue", [w, q]),
      violations: (w) => callAlert("violations", [w]),
      exampleTraces: (service, w, limit) => callAlert("exampleTraces", [service, w, limit]),
    },
    health() {
      const ready = slots.filter((s) => s?.ready).length;
      const idle = slots.filter((s) => s?.ready && !s.job).length;
      const oldest = queue[0] ? Date.now() - queue[0].arrived : 0;
      const reason = !everReady
        ? "query threads are starting"
        : ready === 0
          ? "no query thread is running (starting or being replaced)"
          : oldest > budgetMs / 2
            ? `queries have waited ${oldest} ms for a thread`
            : "";
      return { ready: reason === "", threads: ready, idle, queued: queue.length, timeouts, restarts, reason };
    },
    async close() {
      closing = true;
      for (const j of queue.splice(0)) j.settle({ failure: unavailable(503, "unavailable", "shutting down") });
      await Promise.all(slots.map((s) => s?.worker.terminate()));
    },
  };
}

function describe(m: ToQueryThread): string {
  return m.kind === "http" ? m.pathAndQuery.slice(0, 300) : `alert ${m.call.method}`;
}
