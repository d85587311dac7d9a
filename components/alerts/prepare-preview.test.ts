import { describe, expect, it } from "vitest";
import { preparePreview } from "./prepare-preview";

describe("preparePreview", () => {
  it("scales error rates to percent, labels series by what differs and keeps gaps", () => {
    const chart = preparePreview(
      {
        from: 0,
        to: 3,
        stepMs: 1,
        threshold: 0.05,
        op: ">",
        seriesTotal: 2,
        current: null,
        series: [
          {
            labels: { alertname: "E", service: "a" },
            points: [
              { t: 1, value: 0.1 },
              { t: 2, value: 0.2 },
            ],
          },
          { labels: { alertname: "E", service: "b" }, points: [{ t: 2, value: null }] },
        ],
      },
      "error_rate",
    );
    expect(chart.threshold).toBeCloseTo(5);
    expect(chart.unit).toBe("%");
    expect(chart.series.map((s) => s.label)).toEqual(["a", "b"]);
    expect(chart.rows).toEqual([
      { t: 1, s0: 10, s1: null },
      { t: 2, s0: 20, s1: null },
    ]);
  });
});
