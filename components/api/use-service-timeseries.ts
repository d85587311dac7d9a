"use client";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import type { TimeseriesResponse } from "@/lib/api-types";
import { chooseStepSeconds } from "@/lib/time-range";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/services/{name}/timeseries; `points` sets the resolution (step chosen from the window). */
export function useServiceTimeseries(service: string | null, points = 60, environment?: string) {
  return useWindowQuery(
    ["service-timeseries", service, points, environment ?? null],
    async (w) => {
      const step = chooseStepSeconds(w, points);
      const res = await fetchJson<TimeseriesResponse>(`services/${encodeSegment(service ?? "")}/timeseries`, {
        from: w.fromMs,
        to: w.toMs,
        step,
        environment,
      });
      return { ...res, step: res.stepSeconds ?? step, fromMs: w.fromMs, toMs: w.toMs };
    },
    { enabled: !!service },
  );
}
