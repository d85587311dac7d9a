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

export interface MapWarmingOptions {
  layout: MapLayoutService;
  /** Runs a GET in a query thread, as the API does (the reads never hold the main thread). */
  offload: Offloader;
  log: Logger;
  intervalMs: number;
  now?: () => number;
}

/**
 * Lays out, ahead of any visit, the map a user lands on: the default view (no focus, search
 * or grouping in the URL) of the environment the UI opens on, over its default range. A first
 * visit then gets its layout from the server's cache instead of waiting for ELK (about a second
 * of CPU at 300 services). An unchanged topology is a cache hit and costs no layout; one that
 * grew a little extends the earlier layout (layout-cache.ts). Runs in every process: each has
 * its own layout cache.
 */
export function startMapLayoutWarming(opts: MapWarmingOptions): { stop: () => void } {
  const now = opts.now ?? Date.now;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void round(), ms);
    timer.unref();
  };
  const round = async () => {
    const started = performance.now();
    let next = opts.intervalMs;
    try {
      const request = await readDefaultLayoutRequest(opts.offload, now());
      if (request) {
        const answer = await opts.layout.layout(request);
        if (answer.source !== "cache") {
          opts.log.debug("map layout warmed", {
            nodes: request.nodes.length,
            edges: request.edges.length,
            source: answer.source,
          });
        }
      }
      // A round that took long (a huge fleet, a busy machine) spaces the next ones out.
      next = Math.max(opts.intervalMs, Math.min(MAX_SPACING_MS, (performance.now() - started) / MAX_DUTY));
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
