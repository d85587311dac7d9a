import "server-only";
import { Worker } from "node:worker_threads";
import type { MapLayout, MapLayoutRequest } from "../../../lib/contract";
import type { Point } from "../../../lib/map-layout/positions";
import type { Logger } from "../../platform/logger";
import { resolveWorkerEntry } from "../../platform/module-paths";
import { describeTopology, LayoutCache, type Topology } from "./layout-cache";
import type { LayoutJob } from "./layout-worker";

/** The layout thread is busy or gave up: the caller may lay the map out itself or retry. */
export class LayoutUnavailableError extends Error {
  override name = "LayoutUnavailableError";
}

export interface MapLayoutOptions {
  log: Logger;
  /** Longest one layout may run before its thread is replaced (default 60 s). */
  budgetMs?: number;
  /** Distinct layouts waiting or running at once; more answer LayoutUnavailableError (default 4). */
  maxPending?: number;
  /** Topologies remembered (default 32). */
  cacheSize?: number;
  /** The layout thread stops after this long without a layout to do (default 60 s); the next one starts it again. */
  idleMs?: number;
  /** The thread's entry (tests); default: layout-worker.ts. */
  workerUrl?: URL;
}

interface Pending {
  promise: Promise<Map<string, Point>>;
}

/**
 * Lays maps out on the server, once per topology: a browser that opens a map someone laid out
 * before paints it without running ELK, and every browser shows it in the same places. ELK runs
 * in one thread of its own (warm() starts it ahead of use); identical requests in flight share one run.
 */
export class MapLayoutService {
  private readonly cache: LayoutCache;
  private readonly pending = new Map<string, Pending>();
  private worker: Worker | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly waiting = new Map<
    number,
    { worker: Worker; resolve: (p: Map<string, Point>) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();

  constructor(private readonly opts: MapLayoutOptions) {
    this.cache = new LayoutCache(opts.cacheSize ?? 32);
  }

  async layout(req: MapLayoutRequest): Promise<MapLayout> {
    const topology = describeTopology(req);
    const known = req.fresh ? null : this.fromCache(topology);
    if (known) return known;
    let run = this.pending.get(topology.key);
    if (!run) {
      if (this.pending.size >= (this.opts.maxPending ?? 4)) {
        throw new LayoutUnavailableError("the layout thread is busy with other maps; retry in a moment");
      }
      const promise = this.compute(topology).finally(() => this.pending.delete(topology.key));
      run = { promise };
      this.pending.set(topology.key, run);
    }
    const positions = await run.promise;
    this.cache.set(topology, positions);
    return { positions: pick(positions, topology), source: "computed" };
  }

  /**
   * The layout of `req` when it needs no ELK run (cached, or extended from a cached one), else
   * null: lets a caller that can wait (the warming job) leave the CPU to ingest.
   */
  layoutIfKnown(req: MapLayoutRequest): MapLayout | null {
    return this.fromCache(describeTopology(req));
  }

  private fromCache(topology: Topology): MapLayout | null {
    const hit = this.cache.get(topology.key);
    if (hit) return { positions: pick(hit, topology), source: "cache" };
    const extended = this.cache.extend(topology);
    if (!extended) return null;
    this.cache.set(topology, extended);
    return { positions: pick(extended, topology), source: "extended" };
  }

  /**
   * Starts the layout thread ahead of the first map (loading and compiling ELK takes seconds on
   * a busy machine, which the first user would otherwise wait for).
   */
  warm(): void {
    this.worker ??= this.spawn();
    this.stopWhenIdle();
  }

  /** Whether the layout thread is running (it stops when idle). */
  get threadRunning(): boolean {
    return this.worker !== null;
  }

  close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (w) this.failAll(w, "the server is shutting down");
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }

  /** Stops the thread `idleMs` from now unless a layout is asked for before. */
  private stopWhenIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const w = this.worker;
      if (!w || [...this.waiting.values()].some((p) => p.worker === w)) return;
      this.worker = null;
      void w.terminate();
    }, this.opts.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  private compute(t: Topology): Promise<Map<string, Point>> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = (this.worker ??= this.spawn());
    const id = this.nextId++;
    const budgetMs = this.opts.budgetMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new LayoutUnavailableError(`laying out ${t.ids.length} nodes took over ${budgetMs} ms`));
        // ELK cannot be interrupted: the thread is replaced, and what else it held fails.
        if (this.worker === w) this.worker = null;
        void w.terminate();
      }, budgetMs);
      timer.unref();
      this.waiting.set(id, { worker: w, resolve, reject, timer });
      const job: LayoutJob = { id, ids: t.ids, groups: [...t.groupOf], edges: t.edges };
      w.postMessage(job);
    });
  }

  private spawn(): Worker {
    const w = new Worker(this.opts.workerUrl ?? resolveWorkerEntry("server/query/map-layout/layout-worker.ts"), {
      execArgv: process.execArgv,
    });
    w.on("message", (m: { id: number; positions?: Array<[string, Point]>; error?: string }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      this.waiting.delete(m.id);
      clearTimeout(p.timer);
      if (this.waiting.size === 0) this.stopWhenIdle();
      if (m.positions) p.resolve(new Map(m.positions));
      else p.reject(new Error(`layout failed: ${m.error ?? "unknown error"}`));
    });
    w.on("error", (e) => this.opts.log.error("map layout thread failed", { error: e.message }));
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = null;
      this.failAll(w, `the map layout thread exited (${code})`);
    });
    w.unref();
    return w;
  }

  /** Fails the layouts that thread `w` held (a replacement thread's jobs carry on). */
  private failAll(w: Worker, why: string): void {
    for (const [id, p] of this.waiting) {
      if (p.worker !== w) continue;
      clearTimeout(p.timer);
      p.reject(new LayoutUnavailableError(why));
      this.waiting.delete(id);
    }
  }
}

/** The positions of the requested nodes only, as a JSON object. */
function pick(positions: Map<string, Point>, t: Topology): Record<string, Point> {
  const out: Record<string, Point> = {};
  for (const id of t.ids) {
    const p = positions.get(id);
    if (p) out[id] = p;
  }
  return out;
}
