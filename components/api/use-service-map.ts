"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServiceMapSummaryResponse } from "@/lib/api-types";
import type { Scope } from "./use-services";
import { useWindowQuery } from "./use-window-query";

/**
 * GET /api/v1/service-map/summary[?focus=<node id>&depth=<hops>&environment&namespace]: the map
 * with the fields the UI draws (less than half the full map's bytes at 300 services).
 */
export function useServiceMap(
  focus?: string | null,
  depth?: number | null,
  scope: Scope = {},
  options: { enabled?: boolean } = {},
) {
  return useWindowQuery(
    ["service-map", focus ?? null, focus ? (depth ?? 1) : null, scope.environment ?? null, scope.namespace ?? null],
    (w) =>
      fetchJson<ServiceMapSummaryResponse>("service-map/summary", {
        from: w.fromMs,
        to: w.toMs,
        focus: focus ?? undefined,
        depth: focus ? (depth ?? 1) : undefined,
        environment: scope.environment,
        namespace: scope.namespace,
      }),
    options,
  );
}
