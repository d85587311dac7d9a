"use client";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import { chooseStepSeconds } from "@/lib/time-range";
import type { contract, ResponseOf } from "@/lib/contract";
import { useWindowQuery } from "./use-window-query";

export type EdgeTimeseriesResponse = ResponseOf<typeof contract.getEdgeTimeseries>;
export type EdgePoint = EdgeTimeseriesResponse["points"][number];

/** GET /api/v1/service-map/edges/{source}/{target}/timeseries (node ids as in the map). */
export function useEdgeTimeseries(source: string | null, target: string | null, points = 40) {
  return useWindowQuery(
    ["edge-timeseries", source, target, points],
    async (w) => {
      const step = Math.max(60, chooseStepSeconds(w, points));
      const res = await fetchJson<EdgeTimeseriesResponse>(
        `service-map/edges/${encodeSegment(source ?? "")}/${encodeSegment(target ?? "")}/timeseries`,
        {
          from: w.fromMs,
          to: w.toMs,
          step,
        },
      );
      return { ...res, fromMs: w.fromMs, toMs: w.toMs };
    },
    { enabled: !!source && !!target },
  );
}
