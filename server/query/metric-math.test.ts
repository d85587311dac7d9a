import { describe, expect, it } from "vitest";
import { diffCounts, quantileFromBuckets, quantileFromExponential, rateBetween } from "./metric-math";

describe("metric math", () => {
  it("interpolates a histogram quantile inside the right bucket", () => {
    // bounds 10, 20, 50; counts: 10 in [0,10], 10 in (10,20], 0, 0 in +Inf
    expect(quantileFromBuckets([10, 20, 50], [10, 10, 0, 0], 0.5)).toBe(10);
    expect(quantileFromBuckets([10, 20, 50], [10, 10, 0, 0], 0.75)).toBe(15);
    expect(quantileFromBuckets([10, 20, 50], [0, 0, 0, 0], 0.5)).toBeNull();
  });
  it("reads exponential histogram quantiles within the bucket's width", () => {
    // scale 0 → base 2; offset 3 → first bucket (8, 16]
    const v = quantileFromExponential(0, 0, 3, [100], 0.5)!;
    expect(v).toBeGreaterThan(8);
    expect(v).toBeLessThanOrEqual(16);
    expect(quantileFromExponential(0, 50, 3, [50], 0.25)).toBe(0);
  });
  it("handles counter resets", () => {
    expect(diffCounts([5, 5], [2, 3])).toEqual([3, 2]);
    expect(diffCounts([1, 0], [2, 3])).toEqual([1, 0]);
    expect(rateBetween({ v: 100, tMs: 0 }, { v: 160, tMs: 60_000 })).toBe(1);
    expect(rateBetween({ v: 100, tMs: 0 }, { v: 30, tMs: 10_000 })).toBe(3);
  });
});
