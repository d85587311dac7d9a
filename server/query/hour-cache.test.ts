import { describe, expect, it } from "vitest";
import { readWithHourCache } from "./hour-cache";

describe("hour cache", () => {
  it("answers any window exactly as reading every minute would, reusing complete blocks", async () => {
    const owner = {};
    const reads: [number, number][] = [];
    // Minute m holds the value m: a window's sum is checkable in closed form.
    const read = async (into: { sum: number }, a: number, b: number) => {
      reads.push([a, b]);
      for (let m = a; m < b; m++) into.sum += m;
    };
    const agg = {
      read,
      empty: () => ({ sum: 0 }),
      pack: (v: { sum: number }) => v.sum,
      mergePacked: (into: { sum: number }, p: number) => void (into.sum += p),
    };
    const now = 1000 * 60_000; // minute 1000
    const expected = (lo: number, hi: number) => ((hi - 1 + lo) * (hi - lo)) / 2;
    for (const [lo, hi] of [
      [10, 995],
      [0, 1000],
      [61, 119],
      [120, 180],
      [5, 6],
    ] as const) {
      const got = await readWithHourCache(owner, "t", lo, hi, now, agg);
      expect(got.sum, `${lo}..${hi}`).toBe(expected(lo, hi));
    }
    // The second long window reads only its partial edges: every complete block is cached.
    reads.length = 0;
    await readWithHourCache(owner, "t", 10, 995, now, agg);
    expect(reads.every(([a, b]) => b - a < 10)).toBe(true);
    // Any window, cached or not, still sums exactly.
    for (let i = 0; i < 200; i++) {
      const lo = Math.floor(Math.random() * 990);
      const hi = lo + 1 + Math.floor(Math.random() * (1000 - lo));
      expect((await readWithHourCache(owner, "t", lo, hi, now, agg)).sum).toBe(expected(lo, hi));
    }
    // Blocks not yet settled (ending within 2 minutes of now) are never cached: read each time.
    for (let i = 0; i < 2; i++) {
      reads.length = 0;
      await readWithHourCache(owner, "t", 900, 1000, now, agg);
      expect(reads).toEqual([[990, 1000]]);
    }
  });
});
