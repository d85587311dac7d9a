"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServiceMapDiffResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/service-map/diff: the window against the preceding window of equal length. */
export function useServiceMapDiff(enabled: boolean) {
  return useWindowQuery(
    ["service-map-diff"],
    (w) => fetchJson<ServiceMapDiffResponse>("service-map/diff", { from: w.fromMs, to: w.toMs }),
    { enabled },
  );
}
