"use client";
import { fetchJson } from "@/lib/api-client";
import { useWindowQuery } from "../api/use-window-query";
import type { ViolationsResponse } from "./types";

/** GET /api/v1/violations for the selected time range. */
export function useViolations() {
  return useWindowQuery(["violations"], (w) =>
    fetchJson<ViolationsResponse>("violations", { from: w.fromMs, to: w.toMs }),
  );
}
