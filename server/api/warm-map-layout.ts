import "server-only";
import { chooseDefaultEnvironment, environmentParam } from "../../lib/choose-environment";
import {
  MAX_LAYOUT_EDGES,
  MAX_LAYOUT_NODES,
  type MapLayoutRequest,
  type ServiceMapSummary,
  type ServiceSummary,
} from "../../lib/contract";
import { describeDefaultLayoutRequest } from "../../lib/map-layout/groups";
import type { Logger } from "../platform/logger";
import type { MapLayoutService } from "../query";
import type { Offloader } from "./router";

/** The UI's default time range (components/ui/use-time-range.ts): the last 15 minutes. */
const DEFAULT_RANGE_MS = 15 * 60_000;
/** A round may take at most this share of wall time: rounds on a huge fleet space themselves out. */
const MAX_DUTY = 0.2;
const MAX_SPACING_MS = 60_000;
/**
 * From this share of its time busy the writer is ingesting in earnest: one ELK layout (1.3-2.6 s
 * of CPU for a 41-node, 420-edge map) would cost as much as ~100k spans. Most topology changes
 * extend a cached layout instead (no ELK), so waiting costs a first visit little.
 */
const BUSY_SHARE = 0.1;
const DEFAULT_MAX_DEFER_MS = 5 * 60_000;

export interface MapWarmingOptions {
  layout: Pick<MapLayoutService, "layout" | "layoutIfKnown">;
  /** Runs a GET in a query thread, as the API does (the reads never hold the main thread). */
  offload: Offloader;
  log: Logger;
  intervalMs: number;
  /** The writer thread's event-loop time so far (WriterClient.loopTime); absent: never busy. */
  writerLoopTime?: () => { active: number; idle: number };
  /** Longest a new layout waits for the writer to be less busy (default 5 min). */
  maxDeferMs?: number;
  now?: () => number;
}

/**
 * Lays out, ahead of any visit, the map a user lands on: the default view (no focus, search
 * or grouping in the URL) of the environment the UI opens on, over its default range. A first
 * visit then gets its layout from the server's cache instead of waiting for ELK (about a second
 * of CPU at 300 services). An unchanged topology is a cache hit and costs no layout; one that
 * grew a little extends the earlier layout (layout-cache.ts). Runs in every process: each has
 * its own layout cache.
 *
 * Ingest comes first: while the writer is busy a tenth of the time or more, a topology that needs
 * ELK waits (up to `maxDeferMs`, then it is laid out anyway) and no round reads the map while it
 * waits; rounds that find the layout cached space out to a minute, so the reads cost little too.
 */
export function startMapLayoutWarming(opts: MapWarmingOptions): { stop: () => void } {
  const now = opts.now ?? Date.now;
  const maxDeferMs = opts.maxDeferMs ?? DEFAULT_MAX_DEFER_MS;
  const writerBusy = busyMeter(opts.writerLoopTime);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let deferredSince: number | null = null;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void round(), ms);
    timer.unref();
  };
  const round = async () => {
    const started = performance.now();
    let next = opts.intervalMs;
    try {
      const busy = writerBusy() >= BUSY_SHARE;
      const waiting = () => busy && deferredSince !== null && deferredSince + maxDeferMs > now();
      // A layout already waits for a calmer writer: until the writer calms down or the wait ends
      // no read can change what this round does, so it reads nothing (the default map and the
      // service list, every 10 s).
      if (waiting()) return schedule(next);
      const request = await readDefaultLayoutRequest(opts.offload, now());
      const known = request ? opts.layout.layoutIfKnown(request) : null;
      if (request && !known && busy) deferredSince ??= now();
      if (request && !known && waiting()) {
        opts.log.debug("map layout warming deferred: the writer is busy", { nodes: request.nodes.length });
      } else if (request) {
        deferredSince = null;
        const answer = known ?? (await opts.layout.layout(request));
        if (answer.source !== "cache") {
          opts.log.debug("map layout warmed", {
            nodes: request.nodes.length,
            edges: request.edges.length,
            source: answer.source,
          });
        }
        if (busy) next = MAX_SPACING_MS;
      }
      // A round that took long (a huge fleet, a busy machine) spaces the next ones out.
      next = Math.max(next, Math.min(MAX_SPACING_MS, (performance.now() - started) / MAX_DUTY));
    } catch (e) {
      // Busy layout thread or query threads (or still starting): the next round tries again.
      opts.log.debug("map layout warming skipped", { error: (e as Error).message });
    }
    schedule(next);
  };
  // The first round once the query threads are up (they start with the process).
  schedule(Math.min(opts.intervalMs, 2_000));
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** Share of the time since the previous call (or since the thread started) the writer was busy. */
function busyMeter(loopTime: MapWarmingOptions["writerLoopTime"]): () => number {
  let last = { active: 0, idle: 0 };
  return () => {
    if (!loopTime) return 0;
    const t = loopTime();
    // A new writer thread starts counting at 0 again.
    if (t.active < last.active || t.idle < last.idle) last = { active: 0, idle: 0 };
    const active = t.active - last.active;
    const total = active + t.idle - last.idle;
    last = { active: t.active, idle: t.idle };
    return total > 0 ? active / total : 0;
  };
}

/** The layout request of the default map at `nowMs`, read as the UI reads it; null: nothing to lay out. */
export async function readDefaultLayoutRequest(offload: Offloader, nowMs: number): Promise<MapLayoutRequest | null> {
  const range = `from=${nowMs - DEFAULT_RANGE_MS}&to=${nowMs}`;
  const all = await readJson<{ services: ServiceSummary[] }>(offload, `/api/v1/services?${range}`);
  const environment = environmentParam(chooseDefaultEnvironment(all.services));
  const scope = environment === undefined ? "" : `&environment=${encodeURIComponent(environment)}`;
  const [map, scoped] = await Promise.all([
    readJson<ServiceMapSummary>(offload, `/api/v1/service-map/summary?${range}${scope}`),
    scope ? readJson<{ services: ServiceSummary[] }>(offload, `/api/v1/services?${range}${scope}`) : all,
  ]);
  if (map.nodes.length === 0 || map.nodes.length > MAX_LAYOUT_NODES || map.edges.length > MAX_LAYOUT_EDGES) return null;
  return describeDefaultLayoutRequest(map, scoped.services);
}

async function readJson<T>(offload: Offloader, pathAndQuery: string): Promise<T> {
  const pending = offload(pathAndQuery);
  if (!pending) throw new Error("no query thread can take the read now");
  const answer = await pending;
  if (answer.status !== 200) throw new Error(`${pathAndQuery} answered ${answer.status}: ${answer.json.slice(0, 200)}`);
  return JSON.parse(answer.json) as T;
}
