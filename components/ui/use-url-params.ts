"use client";
import { usePathname, useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * View state kept in the URL (filters, sort, selection, time range) so every view is a
 * shareable link. Uses the native History API, which Next's router observes: no server
 * round trip for a selection or a filter, and `window.location` is current at once, so two
 * quick updates build on each other. `replace` (default) keeps typing out of the history.
 */
export function useUrlParams() {
  const params = useSearchParams();
  const pathname = usePathname();

  const setParams = useCallback(
    (changes: Record<string, string | null | undefined>, mode: "replace" | "push" = "replace") => {
      const q = new URLSearchParams(window.location.search);
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === undefined || v === "") q.delete(k);
        else q.set(k, v);
      }
      const search = q.toString();
      const url = `${window.location.pathname}${search ? `?${search}` : ""}`;
      if (mode === "push") window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    },
    [],
  );
  const get = useCallback((k: string) => params.get(k) ?? "", [params]);
  return { params, pathname, get, setParams };
}
