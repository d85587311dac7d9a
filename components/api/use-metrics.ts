"use client";
import { fetchJson } from "@/lib/api-client";
import type { MetricsResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/metrics?service= : the metric names a service reports. */
export function useMetrics(service: string | null) {
  return useWindowQuery(
    ["metrics", service],
    (w) => fetchJson<MetricsResponse>("metrics", { service: service ?? undefined, from: w.fromMs, to: w.toMs }),
    { enabled: !!service },
  );
}
