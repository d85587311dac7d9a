"use client";
import { fetchJson } from "@/lib/api-client";
import type { ServicesResponse } from "@/lib/api-types";
import { useWindowQuery } from "./use-window-query";

/** GET /api/v1/services */
export function useServices() {
  return useWindowQuery(["services"], (w) =>
    fetchJson<ServicesResponse>("services", { from: w.fromMs, to: w.toMs }),
  );
}
