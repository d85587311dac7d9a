import "server-only";
import { Worker } from "node:worker_threads";
import type { Fence } from "../control";
import type { ControlDbTarget } from "../store";
import type { Logger } from "../platform/logger";
import { resolveWorkerEntry } from "../platform/module-paths";
import type { AlertDataSource, QueryResult } from "./data-source";
import {
  countByState,
  runTick,
  type RuleHealth,
  type TickEngine,
  type TickOutcome,
  type TickRules,
  type TickSettings,
  type TickSummary,
} from "./engine";

export type TickRequest = { id: number } & (
  | { op: "rules" }
  | { op: "commit"; now: number; rules: TickRules; results: Map<string, QueryResult>; fence: Fence | null }
  | { op: "reset" }
);
type Op = TickRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export interface ThreadedEngineDeps extends TickSettings {
  control: ControlDbTarget;
  dataSource: AlertDataSource;
  log: Logger;
  fence?: () => Fence | null;
  /** A tick step the thread cannot finish within this fails and the thread is replaced. */
  budgetMs?: number;
}

/**
 * The engine as the server runs it: the control-plane half of every tick (reading and parsing
 * rules, planning, the state machine, payloads, the Prisma write) runs in the alert evaluation
 * thread; this thread only runs the rules' queries (which the query threads answer) and keeps
 * the rules' health for the API. The thread starts with the first tick and is replaced if it
 * dies; a step it cannot finish in `budgetMs` fails (logged by the scheduler, retried next
 * interval) and the thread is replaced with fresh memory (it reloads instances from the
 * database), so one pathological tick cannot stop alerting.
 */
export class ThreadedEngine implements TickEngine {
  readonly health = new Map<string, RuleHealth>();
  private counts = countByState([]);
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(private readonly deps: ThreadedEngineDeps) {}

  async evaluate(now: number): Promise<TickSummary> {
    const out = await runTick(now, this.deps.dataSource, this.health, {
      readRules: async () => (await this.call({ op: "rules" })) as TickRules,
      commit: async (rules, results) =>
        (await this.call({ op: "commit", now, rules, results, fence: this.deps.fence?.() ?? null })) as TickOutcome,
    });
    this.counts = out.counts;
    return out.summary;
  }

  async reset(): Promise<void> {
    // A thread not started yet has no memory to forget.
    if (this.worker) await this.call({ op: "reset" });
  }

  stateCounts(): Record<string, number> {
    return { ...this.counts };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.failAll("alerting stopped");
    await w?.terminate();
  }

  private call(op: Op): Promise<unknown> {
    this.worker ??= this.spawn();
    const w = this.worker;
    const id = this.nextId++;
    const budgetMs = this.deps.budgetMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`alert evaluation took over ${budgetMs} ms; the thread is replaced`));
        if (this.worker === w) this.worker = null;
        void w.terminate();
      }, budgetMs);
      timer.unref();
      this.waiting.set(id, { resolve, reject, timer });
      w.postMessage({ id, ...op });
    });
  }

  private spawn(): Worker {
    const { control, externalURL, intervalMs, resendMs } = this.deps;
    const w = new Worker(resolveWorkerEntry("server/alerting/tick-worker.ts"), {
      execArgv: process.execArgv,
      workerData: { control, settings: { externalURL, intervalMs, resendMs } satisfies TickSettings },
    });
    w.on("message", (m: { id: number; result?: unknown; error?: string; name?: string }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      clearTimeout(p.timer);
      if (m.error === undefined) p.resolve(m.result);
      else p.reject(Object.assign(new Error(m.error), { name: m.name ?? "Error" }));
    });
    w.on("error", (e) => this.deps.log.error("alert evaluation thread failed", { error: e.message }));
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = null;
      this.failAll(`alert evaluation thread exited (${code})`);
    });
    w.unref();
    return w;
  }

  private failAll(why: string): void {
    for (const [id, p] of this.waiting) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
      this.waiting.delete(id);
    }
  }
}
