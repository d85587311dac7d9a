"use client";
import { encodeSegment, fetchJson } from "@/lib/api-client";
import { useWindowQuery } from "../api/use-window-query";
import type { ServiceCouplingMetrics } from "./types";

/** GET /api/v1/coupling/metrics/{service}: fan-in/out, AIS/ADS, instability, cycle membership. */
export function useServiceCouplingMetrics(service: string) {
  return useWindowQuery(["coupling-metrics", service], (w) =>
    fetchJson<ServiceCouplingMetrics>(`coupling/metrics/${encodeSegment(service)}`, { from: w.fromMs, to: w.toMs }),
  );
}
