import { describe, expect, it } from "vitest";
import type { Span } from "../../normalize";
import { LateMinutes } from "./late-minutes";

const MIN = 60_000;
const spanAt = (ms: number) => ({ startNs: BigInt(ms) * 1_000_000n }) as Span;

describe("late minutes announced to the query threads' caches", () => {
  it("announces a late minute through the hold and three more flushes, however late they run", () => {
    const now = 100 * MIN;
    const late = new LateMinutes(16_000);
    late.observe([spanAt(now - 2 * MIN), spanAt(now - 3 * MIN + 5)], now);
    expect(late.toAnnounce(now + 2_000)).toBe(97);
    expect(late.toAnnounce(now + 16_000)).toBe(97);
    // The writer was busy: the next flushes come long after the hold; the edge may be written by
    // any of them, so they still announce the minute.
    expect(late.toAnnounce(now + 60_000)).toBe(97);
    expect(late.toAnnounce(now + 90_000)).toBe(97);
    expect(late.toAnnounce(now + 95_000)).toBe(97);
    expect(late.toAnnounce(now + 97_000)).toBeNull();
  });

  it("ignores spans of minutes the caches do not hold yet", () => {
    const now = 100 * MIN;
    const late = new LateMinutes(16_000);
    late.observe([spanAt(now - 1_000)], now);
    expect(late.toAnnounce(now + 2_000)).toBeNull();
  });
});
