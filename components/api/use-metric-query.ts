"use client";
import { fetchJson } from "@/lib/api-client";
import type { MetricAggregation, MetricQueryResponse } from "@/lib/api-types";
import { chooseStepSeconds } from "@/lib/time-range";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/metrics/query: one metric of one service, aggregated per step. */
export function useMetricQuery(service: string | null, name: string | null, agg: MetricAggregation | null) {
  return useWindowQuery(
    ["metric-query", service, name, agg],
    async (w) => {
      const step = chooseStepSeconds(w, 80);
      const res = await fetchJson<MetricQueryResponse>("metrics/query", {
        service: service ?? undefined,
        name: name ?? undefined,
        agg: agg ?? undefined,
        from: w.fromMs,
        to: w.toMs,
        step,
      });
      return { ...res, fromMs: w.fromMs, toMs: w.toMs, step };
    },
    { enabled: !!service && !!name && !!agg },
  );
}
