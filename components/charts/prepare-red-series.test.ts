import { describe, expect, it } from "vitest";
import { prepareRedSeries, prepareSparkline } from "./prepare-red-series";

const T0 = 1_764_072_000_000; // on a minute boundary

describe("prepareRedSeries", () => {
  it("aligns points on the step grid and keeps missing steps as null gaps", () => {
    const s = prepareRedSeries(
      [
        { t: T0, requests: 60, errors: 6, p50Ms: 10, p95Ms: 40, p99Ms: 90 },
        { t: T0 + 120_000, requests: 30, errors: 0, p50Ms: 12, p95Ms: 50, p99Ms: 95 },
      ],
      T0,
      T0 + 180_000,
      60,
    );
    expect(s.rows).toHaveLength(3);
    expect(s.rows[0]).toMatchObject({ rps: 1, errorsPerSec: 0.1, errorRate: 0.1, p95: 40 });
    expect(s.rows[1]).toEqual({
      t: T0 + 60_000,
      rps: null,
      errorsPerSec: null,
      errorRate: null,
      p50: null,
      p95: null,
      p99: null,
    });
    expect(s.rows[2]!.rps).toBe(0.5);
    expect(s.latencyUnit).toBe("ms");
    expect(s.hasData).toBe(true);
  });

  it("never turns a null latency into zero", () => {
    const s = prepareRedSeries(
      [{ t: T0, requests: 5, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null }],
      T0,
      T0 + 60_000,
      60,
    );
    expect(s.rows[0]!.p95).toBeNull();
  });

  it("switches latency to seconds when p99 reaches a second", () => {
    const s = prepareRedSeries(
      [{ t: T0, requests: 1, errors: 0, p50Ms: 500, p95Ms: 1500, p99Ms: 2500 }],
      T0,
      T0 + 60_000,
      60,
    );
    expect(s.latencyUnit).toBe("s");
    expect(s.rows[0]!.p99).toBe(2.5);
  });

  it("gives sparkline values per step", () => {
    expect(
      prepareSparkline(
        [{ t: T0 + 60_000, requests: 120, errors: 0, p50Ms: 1, p95Ms: 1, p99Ms: 1 }],
        T0,
        T0 + 120_000,
        60,
      ).map((p) => p.v),
    ).toEqual([null, 2]);
  });
});

import { computeTimeTicks, isIsolated } from "./prepare-red-series";
describe("axis helpers", () => {
  it("puts ticks on round steps inside the domain", () => {
    expect(computeTimeTicks([T0 + 10_000, T0 + 15 * 60_000], 5)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => T0 + i * 120_000),
    );
  });
  it("finds points a line cannot draw", () => {
    const rows = [{ v: null }, { v: 1 }, { v: null }, { v: 2 }, { v: 3 }];
    expect([0, 1, 2, 3, 4].map((i) => isIsolated(rows, i, "v"))).toEqual([false, true, false, false, false]);
  });
});
