"use client";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import { chooseStepSeconds } from "@/lib/time-range";
import { useWindowQuery } from "./use-window-query";

export interface EdgeLatency {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}
export interface EdgePoint {
  t: number;
  requests: number;
  errors: number;
  errorRate: number | null;
  rps: number;
  client: EdgeLatency;
  server: EdgeLatency;
}
export interface EdgeTimeseriesResponse {
  source: string;
  target: string;
  stepSeconds: number;
  points: EdgePoint[];
}

/** GET /api/v1/service-map/edges/{source}/{target}/timeseries (node ids as in the map). */
export function useEdgeTimeseries(source: string | null, target: string | null, points = 40) {
  return useWindowQuery(
    ["edge-timeseries", source, target, points],
    async (w) => {
      const step = Math.max(60, chooseStepSeconds(w, points));
      const res = await fetchJson<EdgeTimeseriesResponse>(`service-map/edges/${encodeSegment(source ?? "")}/${encodeSegment(target ?? "")}/timeseries`, {
        from: w.fromMs,
        to: w.toMs,
        step,
      });
      return { ...res, fromMs: w.fromMs, toMs: w.toMs };
    },
    { enabled: !!source && !!target },
  );
}
