import { describe, expect, it } from "vitest";
import { METRIC_AGGREGATIONS, METRIC_TYPES } from "./enums";
import { chooseDefaultAggregation, listMetricAggregations } from "./metric-aggregations";

describe("listMetricAggregations", () => {
  it("defaults each metric type to the aggregation it calls for", () => {
    expect(chooseDefaultAggregation("sum", true)).toBe("rate");
    expect(chooseDefaultAggregation("sum", false)).toBe("last");
    expect(chooseDefaultAggregation("gauge", undefined)).toBe("avg");
    expect(chooseDefaultAggregation("histogram", undefined)).toBe("p95");
    expect(chooseDefaultAggregation("exponential_histogram", undefined)).toBe("p95");
    expect(chooseDefaultAggregation("summary", undefined)).toBe("p95");
  });

  it("offers only aggregations of the API, without repeats, for every metric type", () => {
    for (const type of METRIC_TYPES) {
      for (const monotonic of [true, false]) {
        const list = listMetricAggregations(type, monotonic);
        expect(list.length).toBeGreaterThan(0);
        expect(new Set(list).size).toBe(list.length);
        for (const a of list) expect(METRIC_AGGREGATIONS).toContain(a);
      }
    }
  });

  it("never offers a counter's rate for a distribution, nor a percentile for a counter", () => {
    expect(listMetricAggregations("histogram", undefined)).not.toContain("rate");
    expect(listMetricAggregations("histogram", undefined)).not.toContain("avg");
    expect(listMetricAggregations("sum", true).some((a) => a.startsWith("p"))).toBe(false);
  });
});
