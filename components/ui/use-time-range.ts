"use client";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { readRangeParams, resolveRange, type ResolvedRange, type TimeRangeParams } from "@/lib/time-range";

/** The global time range from the URL (`?from=&to=`), and a setter that keeps every other param. */
export function useTimeRange() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const from = params.get("from");
  const to = params.get("to");
  const range = useMemo(() => readRangeParams((k) => (k === "from" ? from : to)), [from, to]);

  const setRange = useCallback(
    (next: TimeRangeParams) => {
      const q = new URLSearchParams(params.toString());
      q.set("from", next.from);
      q.set("to", next.to);
      router.push(`${pathname}?${q.toString()}`);
    },
    [params, router, pathname],
  );

  /** Absolute bounds at `nowMs` (relative ranges move with the clock). */
  const resolve = useCallback(
    (nowMs: number = Date.now()): ResolvedRange =>
      resolveRange(range, nowMs) ?? { fromMs: nowMs - 15 * 60_000, toMs: nowMs },
    [range],
  );

  return { range, setRange, resolve };
}

/** The `from`/`to` query string to append to internal links so the range travels with them. */
export function useRangeQuery(): string {
  const { range } = useTimeRange();
  return `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
}
