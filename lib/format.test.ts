import { describe, expect, it } from "vitest";
import { colorForName, formatAttributeValue, formatMs, formatPercent, formatRate, formatUnitValue } from "./format";

describe("format", () => {
  it("formats latency with a unit that fits", () => {
    expect(formatMs(null)).toBe("—");
    expect(formatMs(0.25)).toBe("250 µs");
    expect(formatMs(4.56)).toBe("4.6 ms");
    expect(formatMs(80.2)).toBe("80 ms");
    expect(formatMs(1530)).toBe("1.53 s");
  });
  it("formats rates and percentages", () => {
    expect(formatPercent(0.0123)).toBe("1.2%");
    expect(formatPercent(0)).toBe("0%");
    expect(formatPercent(0.00001)).toBe("<0.1%");
    expect(formatRate(1.33)).toBe("1.3/s");
    expect(formatRate(0.05)).toBe("3.0/min");
  });
  it("formats metric values by OTel unit", () => {
    expect(formatUnitValue(2048, "By")).toBe("2.0 KiB");
    expect(formatUnitValue(0.2, "s")).toBe("200 ms");
    expect(formatUnitValue(5, "{requests}")).toBe("5 requests");
  });
  it("renders attribute values as text", () => {
    expect(formatAttributeValue("<b>x</b>")).toBe("<b>x</b>");
    expect(formatAttributeValue([1, "a"])).toBe('[1,"a"]');
    expect(formatAttributeValue(true)).toBe("true");
  });
  it("gives a service the same colour every time", () => {
    expect(colorForName("checkout")).toBe(colorForName("checkout"));
    expect(colorForName("checkout")).not.toBe(colorForName("billing"));
  });
});
