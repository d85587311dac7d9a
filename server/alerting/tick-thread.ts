import "server-only";
import { Worker } from "node:worker_threads";
import type { Logger } from "../platform/logger";
import { resolveWorkerEntry } from "../platform/module-paths";
import type { TickInput, TickPlan } from "./plan-tick";

export interface TickThread {
  plan(input: TickInput): Promise<TickPlan>;
  close(): Promise<void>;
}

/**
 * The alert evaluation thread's main-thread side. Evaluation (rules over query results, the
 * state machine, annotations, notification payloads) runs there, so its CPU never delays an
 * ingest answer or an API read. The thread starts with the first tick and is replaced if it
 * dies; a tick it cannot finish in `budgetMs` fails (logged by the scheduler, retried next
 * interval) and the thread is replaced, so one pathological tick cannot stop alerting.
 */
export function startTickThread(log: Logger, budgetMs = 60_000): TickThread {
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (p: TickPlan) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  const failAll = (why: string) => {
    for (const [id, w] of waiting) {
      clearTimeout(w.timer);
      w.reject(new Error(why));
      waiting.delete(id);
    }
  };
  const spawn = (): Worker => {
    const w = new Worker(resolveWorkerEntry("server/alerting/tick-worker.ts"), { execArgv: process.execArgv });
    w.on("message", (m: { id: number; plan?: TickPlan; error?: string }) => {
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      clearTimeout(p.timer);
      if (m.plan) p.resolve(m.plan);
      else p.reject(new Error(`alert evaluation failed: ${m.error}`));
    });
    w.on("error", (e) => log.error("alert evaluation thread failed", { error: e.message }));
    w.on("exit", (code) => {
      if (worker === w) worker = null;
      failAll(`alert evaluation thread exited (${code})`);
    });
    w.unref();
    return w;
  };

  return {
    plan(input) {
      worker ??= spawn();
      const w = worker;
      const id = nextId++;
      return new Promise<TickPlan>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`alert evaluation took over ${budgetMs} ms; the thread is replaced`));
          if (worker === w) worker = null;
          void w.terminate();
        }, budgetMs);
        timer.unref();
        waiting.set(id, { resolve, reject, timer });
        w.postMessage({ id, input });
      });
    },
    async close() {
      const w = worker;
      worker = null;
      failAll("alerting stopped");
      await w?.terminate();
    },
  };
}
