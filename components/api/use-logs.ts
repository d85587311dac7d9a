"use client";
import { keepPreviousData } from "@tanstack/react-query";
import { useInfiniteQuery, useQuery } from "./query";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import type { LogHistogramResponse, LogsResponse, TraceLogsResponse } from "@/lib/log-types";
import { useRefetchInterval } from "../ui/refresh-context";
import { useTimeRange } from "../ui/use-time-range";
import { useWindowQuery } from "./use-window-query";

export interface LogFilters {
  service?: string;
  minSeverity?: string;
  q?: string;
  attr?: string[];
  traceId?: string;
}

const params = (f: LogFilters) => ({
  service: f.service,
  minSeverity: f.minSeverity,
  q: f.q,
  attr: f.attr,
  traceId: f.traceId,
});

/**
 * GET /api/v1/logs, page after page (cursor). The window is resolved once per first page so
 * later pages continue the same result; `live` refetches the first page on an interval.
 */
export function useLogs(filters: LogFilters, live: boolean) {
  const { range, resolve } = useTimeRange();
  const refetchInterval = useRefetchInterval();
  return useInfiniteQuery({
    queryKey: ["logs", filters, range.from, range.to],
    initialPageParam: null as null | { cursor: string; fromMs: number; toMs: number },
    queryFn: ({ pageParam }) => {
      const w = pageParam ?? resolve(Date.now());
      return fetchJson<LogsResponse>("logs", {
        from: w.fromMs,
        to: w.toMs,
        ...params(filters),
        limit: 100,
        cursor: pageParam?.cursor,
      }).then((r) => ({ ...r, fromMs: w.fromMs, toMs: w.toMs }));
    },
    getNextPageParam: (last) =>
      last.nextCursor ? { cursor: last.nextCursor, fromMs: last.fromMs, toMs: last.toMs } : undefined,
    refetchInterval: live ? 2000 : refetchInterval,
    placeholderData: keepPreviousData,
  });
}

/** GET /api/v1/logs/histogram with the same filters; `live` follows the tail every 2 s like the list. */
export function useLogHistogram(filters: LogFilters, live = false) {
  return useWindowQuery(
    ["logs-histogram", filters, live],
    (w) => fetchJson<LogHistogramResponse>("logs/histogram", { from: w.fromMs, to: w.toMs, ...params(filters) }),
    live ? { refetchInterval: 2000 } : {},
  );
}

/** GET /api/v1/traces/{id}/logs: a trace's lines, oldest first, at any age. */
export function useTraceLogs(traceId: string) {
  return useQuery({
    queryKey: ["trace-logs", traceId],
    queryFn: () => fetchJson<TraceLogsResponse>(`traces/${encodeSegment(traceId)}/logs`),
  });
}
