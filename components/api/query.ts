"use client";
import {
  useInfiniteQuery as useTanstackInfiniteQuery,
  useIsFetching as useTanstackIsFetching,
  useQuery as useTanstackQuery,
} from "@tanstack/react-query";
import { useHydrated } from "../ui/use-hydrated";

/**
 * The only doors to React Query's hooks in the UI (ESLint forbids importing them elsewhere).
 *
 * Why: the layout streams the top bar and the page in separate Suspense boundaries, and React
 * hydrates each boundary in its own pass. The top bar's environment picker (and user menu)
 * start their fetches as soon as their boundary has hydrated; when such an answer reaches the
 * shared cache before the page's boundary hydrates, a page hook reading the same key (the
 * services list on /logs, the session on /access, ...) rendered data into a tree the server had
 * rendered without it: React error #418, and the page re-rendered from scratch. The server never
 * has data (nothing is prefetched), so during hydration these hooks answer exactly what the
 * server rendered (pending; loading when enabled) and show the cache one render later.
 */
export const useQuery = ((
  options: Parameters<typeof useTanstackQuery>[0],
  client?: Parameters<typeof useTanstackQuery>[1],
) => {
  const hydrated = useHydrated();
  const result = useTanstackQuery(options, client);
  return hydrated ? result : asServerRendered(result, options.enabled !== false);
}) as typeof useTanstackQuery;

export const useInfiniteQuery = ((
  options: Parameters<typeof useTanstackInfiniteQuery>[0],
  client?: Parameters<typeof useTanstackInfiniteQuery>[1],
) => {
  const hydrated = useHydrated();
  const result = useTanstackInfiniteQuery(options, client);
  return hydrated ? result : asServerRendered(result, options.enabled !== false);
}) as typeof useTanstackInfiniteQuery;

/** Number of queries fetching; 0 while hydrating (the server fetches nothing). */
export function useIsFetching(): number {
  const hydrated = useHydrated();
  const fetching = useTanstackIsFetching();
  return hydrated ? fetching : 0;
}

/**
 * The result a fresh query has on the server: no data, no error, pending, and fetching when
 * enabled (an `enabled` callback counts as enabled). The live result stays underneath, so its
 * functions (refetch, fetchNextPage) and React Query's tracking of read fields keep working.
 */
function asServerRendered<R extends object>(result: R, enabled: boolean): R {
  const overrides: Record<string, unknown> = {
    data: undefined,
    error: null,
    status: "pending",
    fetchStatus: enabled ? "fetching" : "idle",
    isPending: true,
    isSuccess: false,
    isError: false,
    isLoading: enabled,
    isInitialLoading: enabled,
    isFetching: enabled,
    isLoadingError: false,
    isRefetchError: false,
    isRefetching: false,
    isPaused: false,
    isPlaceholderData: false,
    isFetched: false,
    isFetchedAfterMount: false,
    isStale: true,
    dataUpdatedAt: 0,
    errorUpdatedAt: 0,
    failureCount: 0,
    failureReason: null,
    errorUpdateCount: 0,
    hasNextPage: false,
    hasPreviousPage: false,
    isFetchingNextPage: false,
    isFetchingPreviousPage: false,
    isFetchNextPageError: false,
    isFetchPreviousPageError: false,
  };
  return new Proxy(result, {
    get: (target, key, receiver) =>
      typeof key === "string" && key in overrides ? overrides[key] : Reflect.get(target, key, receiver),
  });
}
