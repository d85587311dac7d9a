import { describe, expect, it } from "vitest";
import { displayUnit, labelSeries, prepareMetricSeries } from "./prepare-metric-series";

describe("prepareMetricSeries", () => {
  it("pivots series onto shared timestamps with null gaps", () => {
    const d = prepareMetricSeries(
      {
        service: "s",
        name: "m",
        type: "histogram",
        stepSeconds: 60,
        unit: "ms",
        aggregation: "p95",
        series: [
          {
            labels: { route: "/a" },
            points: [
              { t: 1, v: 5 },
              { t: 2, v: null },
            ],
          },
          {
            labels: { route: "/b" },
            points: [
              { t: 2, v: 9 },
              { t: 3, v: 7 },
            ],
          },
        ],
      },
      "http.server.duration",
      0,
      4,
    );
    expect(d.series.map((s) => s.label)).toEqual(["route=/b", "route=/a"]);
    expect(d.rows).toEqual([
      { t: 1, s0: null, s1: 5 },
      { t: 2, s0: 9, s1: null },
      { t: 3, s0: 7, s1: null },
    ]);
  });

  it("keeps the top series by peak", () => {
    const series = Array.from({ length: 12 }, (_, i) => ({ labels: { i: String(i) }, points: [{ t: 1, v: i }] }));
    const d = prepareMetricSeries(
      { service: "s", name: "m", type: "gauge", stepSeconds: 60, unit: "1", aggregation: "avg", series },
      "m",
      0,
      2,
      10,
    );
    expect(d.series).toHaveLength(10);
    expect(d.hiddenSeries).toBe(2);
    expect(d.series[0]!.label).toBe("i=11");
  });

  it("shows a rate per second and names an unlabelled series by its metric", () => {
    expect(displayUnit("{requests}", "rate")).toBe("requests/s");
    expect(labelSeries({}, "m")).toBe("m");
  });
});
