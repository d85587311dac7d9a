"use client";
import { useQuery } from "@tanstack/react-query";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import type { TraceResponse } from "@/lib/api-types";

/** GET /api/v1/traces/{traceId}. Not tied to the time range: a trace id is enough. */
export function useTrace(traceId: string) {
  return useQuery({
    queryKey: ["trace", traceId],
    queryFn: () => fetchJson<TraceResponse>(`traces/${encodeSegment(traceId)}`),
    retry: (count, err) => (err as { status?: number }).status !== 404 && count < 2,
  });
}
