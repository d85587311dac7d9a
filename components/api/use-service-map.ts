"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServiceMapResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/service-map[?focus=<node id>&depth=<hops>] */
export function useServiceMap(focus?: string | null, depth?: number | null) {
  return useWindowQuery(["service-map", focus ?? null, focus ? (depth ?? 1) : null], (w) =>
    fetchJson<ServiceMapResponse>("service-map", {
      from: w.fromMs,
      to: w.toMs,
      focus: focus ?? undefined,
      depth: focus ? (depth ?? 1) : undefined,
    }),
  );
}
