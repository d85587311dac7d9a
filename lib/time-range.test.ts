import { describe, expect, it } from "vitest";
import {
  chooseStepSeconds,
  describeRange,
  isRelativeRange,
  parseBound,
  readRangeParams,
  resolveRange,
} from "./time-range";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe("time range", () => {
  it("parses relative, epoch and RFC 3339 bounds", () => {
    expect(parseBound("now", NOW)).toBe(NOW);
    expect(parseBound("now-15m", NOW)).toBe(NOW - 15 * 60_000);
    expect(parseBound("now-7d", NOW)).toBe(NOW - 7 * 86_400_000);
    expect(parseBound("1764072000000", NOW)).toBe(1764072000000);
    expect(parseBound("2026-11-25T10:00:00Z", NOW)).toBe(Date.UTC(2026, 10, 25, 10));
    expect(parseBound("yesterday", NOW)).toBeNull();
  });

  it("rejects inverted windows and falls back to the last 15 minutes", () => {
    expect(resolveRange({ from: "now", to: "now-1h" }, NOW)).toBeNull();
    expect(readRangeParams((k) => (k === "from" ? "garbage" : null))).toEqual({ from: "now-15m", to: "now" });
    expect(readRangeParams((k) => (k === "from" ? "now-6h" : "now"))).toEqual({ from: "now-6h", to: "now" });
  });

  it("tells relative from absolute ranges and labels presets", () => {
    expect(isRelativeRange({ from: "now-1h", to: "now" })).toBe(true);
    expect(isRelativeRange({ from: "1764072000000", to: "1764075600000" })).toBe(false);
    expect(describeRange({ from: "now-24h", to: "now" }, NOW)).toBe("Last 24h");
  });

  it("chooses a friendly step for about 60 points", () => {
    expect(chooseStepSeconds({ fromMs: 0, toMs: 15 * 60_000 })).toBe(15);
    expect(chooseStepSeconds({ fromMs: 0, toMs: 3_600_000 })).toBe(60);
    expect(chooseStepSeconds({ fromMs: 0, toMs: 7 * 86_400_000 })).toBe(10800);
  });
});
