"use client";
import { keepPreviousData } from "@tanstack/react-query";
import { useQuery } from "./query";
import type { TimeWindow } from "@/lib/time-range";
import { useRefetchInterval } from "../ui/refresh-context";
import { useTimeRange } from "../ui/use-time-range";

/**
 * Shared plumbing of the per-endpoint hooks: the key holds the range as written in the URL
 * (`now-1h`), and the bounds are resolved when the request is made, so a refresh of a
 * relative range reads the latest window without changing the key.
 */
export function useWindowQuery<T>(
  key: readonly unknown[],
  fetcher: (window: TimeWindow) => Promise<T>,
  options: { enabled?: boolean; refetchInterval?: number } = {},
) {
  const { range, resolve } = useTimeRange();
  const refetchInterval = useRefetchInterval();
  return useQuery({
    queryKey: [...key, range.from, range.to],
    queryFn: () => fetcher(resolve(Date.now())),
    refetchInterval: options.refetchInterval ?? refetchInterval,
    placeholderData: keepPreviousData,
    enabled: options.enabled ?? true,
  });
}
