"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback } from "react";

/**
 * View state kept in the URL (filters, sort, selection) so every view is a shareable link.
 * `setParams` replaces the history entry (typing in a filter should not flood Back); empty values are removed.
 */
export function useUrlParams() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const setParams = useCallback(
    (changes: Record<string, string | null | undefined>, mode: "replace" | "push" = "replace") => {
      const q = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(changes)) {
        if (v === null || v === undefined || v === "") q.delete(k);
        else q.set(k, v);
      }
      const url = `${pathname}?${q.toString()}`;
      if (mode === "push") router.push(url, { scroll: false });
      else router.replace(url, { scroll: false });
    },
    [params, router, pathname],
  );
  const get = useCallback((k: string) => params.get(k) ?? "", [params]);
  return { params, get, setParams };
}
