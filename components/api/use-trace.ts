"use client";
import { useInfiniteQuery } from "./query";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import type { TraceResponse } from "@/lib/api-types";

/**
 * GET /api/v1/traces/{traceId}, page by page: the first page loads at once, the rest when the
 * user asks (`fetchNextPage`), since a huge trace is sent in pages. Not tied to the time range.
 */
export function useTrace(traceId: string) {
  return useInfiniteQuery({
    queryKey: ["trace", traceId],
    queryFn: ({ pageParam }) => fetchJson<TraceResponse>(`traces/${encodeSegment(traceId)}`, { cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    retry: (count, err) => (err as { status?: number }).status !== 404 && count < 2,
  });
}
