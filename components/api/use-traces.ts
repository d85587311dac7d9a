"use client";
import { fetchJson } from "@/lib/api-client";
import type { TracesResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

export interface TraceFilters {
  service?: string;
  operation?: string;
  status?: "" | "ok" | "error";
  minDurationMs?: string;
  maxDurationMs?: string;
  attr?: string;
  limit?: number;
  /** deployment.environment(.name) of the matching span's resource ("(none)": none). */
  environment?: string;
}

/** GET /api/v1/traces with the search form's filters. */
export function useTraces(filters: TraceFilters, options: { enabled?: boolean } = {}) {
  return useWindowQuery(
    ["traces", filters],
    (w) =>
      fetchJson<TracesResponse>("traces", {
        from: w.fromMs,
        to: w.toMs,
        service: filters.service,
        operation: filters.operation,
        status: filters.status,
        minDurationMs: filters.minDurationMs,
        maxDurationMs: filters.maxDurationMs,
        attr: filters.attr,
        limit: filters.limit ?? 100,
        environment: filters.environment,
      }),
    options,
  );
}
