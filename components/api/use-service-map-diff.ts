"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServiceMapDiffResponse } from "@/lib/api-types";
import type { Scope } from "./use-services";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/service-map/diff: the window against the preceding window of equal length. */
export function useServiceMapDiff(enabled: boolean, scope: Scope = {}) {
  return useWindowQuery(
    ["service-map-diff", scope.environment ?? null, scope.namespace ?? null],
    (w) =>
      fetchJson<ServiceMapDiffResponse>("service-map/diff", {
        from: w.fromMs,
        to: w.toMs,
        environment: scope.environment,
        namespace: scope.namespace,
      }),
    { enabled },
  );
}
