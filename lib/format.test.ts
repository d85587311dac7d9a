import { describe, expect, it } from "vitest";
import {
  colorForName,
  textColorOnName,
  formatAttributeValue,
  formatMs,
  formatPercent,
  formatRate,
  formatUnitValue,
} from "./format";

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

  it("picks a label colour that reaches 4.5:1 on every service colour (WCAG AA)", () => {
    // An independent sRGB path: the browser's hsl() definition, then WCAG's contrast ratio.
    const rgb = (css: string) => {
      const [h, s, l] = /hsl\((\d+) (\d+)% (\d+)%\)/.exec(css)!.slice(1).map(Number) as [number, number, number];
      const c = (1 - Math.abs((2 * l) / 100 - 1)) * (s / 100);
      const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
      const m = l / 100 - c / 2;
      const [r, g, b] =
        h < 60
          ? [c, x, 0]
          : h < 120
            ? [x, c, 0]
            : h < 180
              ? [0, c, x]
              : h < 240
                ? [0, x, c]
                : h < 300
                  ? [x, 0, c]
                  : [c, 0, x];
      return [r + m, g + m, b + m].map((v) => Math.round(v * 255));
    };
    const lum = (v: number[]) => {
      const lin = v.map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * lin[0]! + 0.7152 * lin[1]! + 0.0722 * lin[2]!;
    };
    const hex = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const name = `svc-${i}`;
      const bg = lum(rgb(colorForName(name)));
      const fg = lum(hex(textColorOnName(name)));
      const ratio = (Math.max(bg, fg) + 0.05) / (Math.min(bg, fg) + 0.05);
      expect(ratio, `${name} ${colorForName(name)} with ${textColorOnName(name)}`).toBeGreaterThanOrEqual(4.5);
      seen.add(textColorOnName(name));
    }
    expect(seen.size).toBe(2); // both label colours are needed across the hues
  });
});
