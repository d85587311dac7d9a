"use client";
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { isRelativeRange } from "@/lib/time-range";
import { useTimeRange } from "./use-time-range";

interface RefreshState {
  paused: boolean;
  setPaused: (p: boolean) => void;
  intervalMs: number;
  setIntervalMs: (ms: number) => void;
}

const RefreshContext = createContext<RefreshState | null>(null);

/** Live auto-refresh for relative time ranges; the user can pause it (state is per tab). */
export function RefreshProvider({ children }: { children: ReactNode }) {
  const [paused, setPaused] = useState(false);
  const [intervalMs, setIntervalMs] = useState(15_000);
  const value = useMemo(() => ({ paused, setPaused, intervalMs, setIntervalMs }), [paused, intervalMs]);
  return <RefreshContext.Provider value={value}>{children}</RefreshContext.Provider>;
}

export function useRefresh(): RefreshState {
  const ctx = useContext(RefreshContext);
  if (!ctx) throw new Error("useRefresh must be used inside <RefreshProvider>");
  return ctx;
}

/** React Query's refetchInterval: off when paused or when the range is absolute (fixed data). */
export function useRefetchInterval(): number | false {
  const { paused, intervalMs } = useRefresh();
  const { range } = useTimeRange();
  return paused || !isRelativeRange(range) ? false : intervalMs;
}
