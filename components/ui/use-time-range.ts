"use client";
import { useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import { readRangeParams, resolveRange, type TimeWindow, type TimeRangeParams } from "@/lib/time-range";
import { useUrlParams } from "./use-url-params";

/** The global time range from the URL (`?from=&to=`), and a setter that keeps every other param. */
export function useTimeRange() {
  const params = useSearchParams();
  const { setParams } = useUrlParams();
  const from = params.get("from");
  const to = params.get("to");
  const range = useMemo(() => readRangeParams((k) => (k === "from" ? from : to)), [from, to]);

  const setRange = useCallback(
    (next: TimeRangeParams) => setParams({ from: next.from, to: next.to }, "push"),
    [setParams],
  );

  /** Absolute bounds at `nowMs` (relative ranges move with the clock). */
  const resolve = useCallback(
    (nowMs: number = Date.now()): TimeWindow =>
      resolveRange(range, nowMs) ?? { fromMs: nowMs - 15 * 60_000, toMs: nowMs },
    [range],
  );

  return { range, setRange, resolve };
}

/**
 * The `from`/`to` query string to append to internal links so the range travels with them,
 * with the environment and namespace when the URL names them (components/ui/use-environment.ts).
 */
export function useRangeQuery(): string {
  const { range } = useTimeRange();
  const params = useSearchParams();
  const env = params.get("env");
  const ns = params.get("namespace");
  return (
    `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}` +
    (env ? `&env=${encodeURIComponent(env)}` : "") +
    (ns ? `&namespace=${encodeURIComponent(ns)}` : "")
  );
}
