"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect } from "react";

/**
 * The URL this tab is navigating to but the router has not rendered yet. Two quick updates
 * (clear a filter, then pick another) must build on each other, not on the stale params of
 * the last render. Cleared once the router shows it.
 */
let pending: { path: string; search: string } | null = null;

/**
 * View state kept in the URL (filters, sort, selection, time range) so every view is a
 * shareable link. `replace` (default) keeps typing out of the history; empty values are removed.
 */
export function useUrlParams() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const current = params.toString();

  useEffect(() => {
    if (pending && pending.path === pathname && pending.search === current) pending = null;
  }, [pathname, current]);

  const setParams = useCallback(
    (changes: Record<string, string | null | undefined>, mode: "replace" | "push" = "replace") => {
      const base = pending && pending.path === pathname ? pending.search : current;
      const q = new URLSearchParams(base);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === undefined || v === "") q.delete(k);
        else q.set(k, v);
      }
      const search = q.toString();
      pending = { path: pathname, search };
      const url = `${pathname}?${search}`;
      if (mode === "push") router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [current, router, pathname],
  );
  const get = useCallback((k: string) => params.get(k) ?? "", [params]);
  return { params, get, setParams };
}
