import { describe, expect, it } from "vitest";
import { compareStats } from "./service-map-diff";

const stats = (requests: number, errors: number, rps: number, p95Ms: number | null) => ({
  requests,
  errors,
  errorRate: requests ? errors / requests : 0,
  rps,
  p50Ms: p95Ms,
  p95Ms,
  p99Ms: p95Ms,
});

describe("compareStats", () => {
  it("flags doubled traffic, error jumps and p95 regressions", () => {
    expect(compareStats(stats(100, 0, 1, 50), stats(300, 0, 3, 50), "ok", "ok")).toEqual(["traffic-up"]);
    expect(compareStats(stats(100, 0, 1, 50), stats(100, 10, 1, 50), "ok", "critical")).toEqual([
      "errors-up",
      "health",
    ]);
    expect(compareStats(stats(100, 0, 1, 50), stats(100, 0, 1, 120), "ok", "ok")).toEqual(["p95-up"]);
    expect(compareStats(stats(100, 0, 1, 120), stats(40, 0, 0.4, 50), "ok", "ok")).toEqual([
      "traffic-down",
      "p95-down",
    ]);
  });

  it("ignores noise: tiny counts, small latency moves, stable rates", () => {
    expect(compareStats(stats(2, 0, 0.02, 5), stats(6, 0, 0.06, 6), "ok", "ok")).toEqual([]);
    expect(compareStats(stats(100, 1, 1, 2), stats(150, 1, 1.5, 4), "ok", "ok")).toEqual([]);
  });
});
