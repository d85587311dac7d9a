import { describe, expect, it } from "vitest";
import { INVENTORY_LATENCY_SPIKE, isFaultWindowOpen, PAYMENTS_ERROR_BURST } from "./fault-schedule";

describe("isFaultWindowOpen", () => {
  const start = 1_000_000;
  const at = (seconds: number) => start + seconds * 1000;

  it("opens the payments burst for 30 s every 3 min, first at 2:00", () => {
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(0))).toBe(false);
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(119.9))).toBe(false);
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(120))).toBe(true);
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(149.9))).toBe(true);
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(150))).toBe(false);
    expect(isFaultWindowOpen(PAYMENTS_ERROR_BURST, start, at(300))).toBe(true);
  });

  it("opens the inventory spike for 20 s every 2 min, first at 1:00", () => {
    expect(isFaultWindowOpen(INVENTORY_LATENCY_SPIKE, start, at(59))).toBe(false);
    expect(isFaultWindowOpen(INVENTORY_LATENCY_SPIKE, start, at(60))).toBe(true);
    expect(isFaultWindowOpen(INVENTORY_LATENCY_SPIKE, start, at(80))).toBe(false);
    expect(isFaultWindowOpen(INVENTORY_LATENCY_SPIKE, start, at(185))).toBe(true);
  });
});
