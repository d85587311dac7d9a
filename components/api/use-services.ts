"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServicesResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

export interface Scope {
  environment?: string;
  namespace?: string;
}

/** GET /api/v1/services[?environment&namespace] (one row per service and environment). */
export function useServices(scope: Scope = {}, options: { enabled?: boolean } = {}) {
  return useWindowQuery(
    ["services", scope.environment ?? null, scope.namespace ?? null],
    (w) =>
      fetchJson<ServicesResponse>("services", {
        from: w.fromMs,
        to: w.toMs,
        environment: scope.environment,
        namespace: scope.namespace,
      }),
    options,
  );
}
