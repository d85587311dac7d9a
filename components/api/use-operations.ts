"use client";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import type { OperationsResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/services/{name}/operations */
export function useOperations(service: string | null, environment?: string) {
  return useWindowQuery(
    ["operations", service, environment ?? null],
    (w) =>
      fetchJson<OperationsResponse>(`services/${encodeSegment(service ?? "")}/operations`, {
        from: w.fromMs,
        to: w.toMs,
        environment,
      }),
    { enabled: !!service },
  );
}
