import { describe, expect, it } from "vitest";
import { announceLateRollups } from "../platform/late-rollups";
import { forgetLateWrites, noteStoreChanges, readWithHourCache } from "./hour-cache";

type Sum = { sum: number };

/** A window's value is the sum of its minutes' values; every raw read is recorded in `reads`. */
function summing(valueOf: (minute: number) => number, reads: [number, number][]) {
  return {
    read: async (into: Sum, a: number, b: number) => {
      reads.push([a, b]);
      for (let m = a; m < b; m++) into.sum += valueOf(m);
    },
    empty: (): Sum => ({ sum: 0 }),
    pack: (v: Sum) => v.sum,
    mergePacked: (into: Sum, p: number) => void (into.sum += p),
  };
}

describe("hour cache", () => {
  it("a late write announced by any thread drops the cached blocks it changed, and only those", async () => {
    const owner = {};
    const minutes = new Map<number, number>();
    const reads: [number, number][] = [];
    const agg = summing((m) => minutes.get(m) ?? 0, reads);
    const nowMs = Date.now();
    const nowMinute = Math.floor(nowMs / 60_000);
    const lo = nowMinute - 120;
    // The window's complete blocks are cached while they are empty.
    expect((await readWithHourCache(owner, "late", lo, nowMinute, nowMs, agg)).sum).toBe(0);
    // Spans arrive 30 minutes late: their minute's rollups change, and the writer says so.
    const late = nowMinute - 30;
    minutes.set(late, 7);
    await new Promise((r) => setTimeout(r, 5));
    announceLateRollups(late);
    // The notice crosses threads as a message: it is heard on the next turns of the event loop.
    await new Promise((r) => setTimeout(r, 50));
    reads.length = 0;
    const later = Date.now();
    expect((await readWithHourCache(owner, "late", lo, nowMinute, later, agg)).sum).toBe(7);
    // Blocks wholly before the late minute's block stayed cached: only the window's raw edges
    // and the changed block (and those after it) were read again.
    const firstBlock = Math.ceil(lo / 10) * 10;
    const lateBlock = Math.floor(late / 10) * 10;
    expect(reads.filter(([a]) => a >= firstBlock && a < lateBlock)).toEqual([]);
    expect(reads.some(([a, b]) => a <= late && late < b)).toBe(true);
  });

  it("another process's write, read from the store's change marks beside the read, shows in that same answer", async () => {
    forgetLateWrites();
    const owner = {};
    const minutes = new Map<number, number>();
    const reads: [number, number][] = [];
    const agg = summing((m) => minutes.get(m) ?? 0, reads);
    const nowMinute = Math.floor(Date.now() / 60_000);
    const lo = nowMinute - 120;
    let marks: { fromMinute: number; toMinute: number }[] = [];
    const store = { readRollupChanges: async () => marks.splice(0) };
    const read = () => readWithHourCache(owner, "marks", lo, nowMinute, Date.now(), agg, noteStoreChanges(store));
    expect((await read()).sum).toBe(0);
    // Another instance re-paired minute `late` (nothing announced in this process), then marked it.
    const late = nowMinute - 45;
    minutes.set(late, 5);
    marks = [{ fromMinute: late, toMinute: late + 1 }];
    await new Promise((r) => setTimeout(r, 5));
    reads.length = 0;
    expect((await read()).sum).toBe(5);
    // Only the changed block was read again, and the next read finds everything cached.
    const lateBlock = Math.floor(late / 10) * 10;
    const firstBlock = Math.ceil(lo / 10) * 10;
    expect(
      reads.filter(([a, b]) => a >= firstBlock && b <= nowMinute - 10 && (b <= lateBlock || a >= lateBlock + 10)),
    ).toEqual([]);
    reads.length = 0;
    expect((await read()).sum).toBe(5);
    expect(reads.filter(([, b]) => b <= nowMinute - 10)).toEqual([]);
    // A mark outside the window changes nothing; a failing mark read leaves the cache as it is.
    marks = [{ fromMinute: nowMinute - 500, toMinute: nowMinute - 499 }];
    expect((await read()).sum).toBe(5);
    // A read for a past `now` (benchmarks, replays) is not made again for marks heard before it
    // started (they count in wall-clock time), and keeps what it cached.
    const past = { owner: {}, nowMs: Date.now() - 5 * 60_000 };
    const readPast = () =>
      readWithHourCache(past.owner, "marks", lo - 5, nowMinute - 5, past.nowMs, agg, noteStoreChanges(store));
    reads.length = 0;
    expect((await readPast()).sum).toBe(5);
    expect(reads.filter(([a, b]) => a <= late && late < b)).toHaveLength(1);
    reads.length = 0;
    expect((await readPast()).sum).toBe(5);
    expect(reads.filter(([, b]) => b <= nowMinute - 15)).toEqual([]);
    const failing = { readRollupChanges: () => Promise.reject(new Error("down")) };
    expect(
      (await readWithHourCache(owner, "marks", lo, nowMinute, Date.now(), agg, noteStoreChanges(failing))).sum,
    ).toBe(5);
  });

  it("answers any window exactly as reading every minute would, reusing complete blocks", async () => {
    const owner = {};
    const reads: [number, number][] = [];
    // Minute m holds the value m: a window's sum is checkable in closed form.
    const agg = summing((m) => m, reads);
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
    // Minutes not yet settled (within 2 minutes of now) are never cached: read each time. The
    // settled minutes of the edge before them are read apart (or were, by a window above).
    reads.length = 0;
    await readWithHourCache(owner, "t", 900, 1000, now, agg);
    expect(reads.every(([a, b]) => (a === 990 && b === 998) || (a === 998 && b === 1000))).toBe(true);
    expect(reads).toContainEqual([998, 1000]);
    for (let i = 0; i < 2; i++) {
      reads.length = 0;
      expect((await readWithHourCache(owner, "t", 900, 1000, now, agg)).sum).toBe(expected(900, 1000));
      expect(reads).toEqual([[998, 1000]]);
    }
  });

  it("keeps a window's settled edge minutes for a minute: a refresh reads only the unsettled ones", async () => {
    const owner = {};
    const minutes = new Map<number, number>();
    const reads: [number, number][] = [];
    const agg = summing((m) => minutes.get(m) ?? 1, reads);
    const now = 5003 * 60_000; // minute 5003: settled before 5001
    const window = [5003 - 60, 5003] as const; // settled edges 4943..4950 and 5000..5001
    expect((await readWithHourCache(owner, "r", ...window, now, agg)).sum).toBe(60);
    expect(reads).toContainEqual([4943, 4950]);
    // The same window 30 s later (the same minutes): only the unsettled minutes are read.
    reads.length = 0;
    expect((await readWithHourCache(owner, "r", ...window, now + 30_000, agg)).sum).toBe(60);
    expect(reads).toEqual([[5001, 5003]]);
    // A late write this process announces into an edge minute drops that range at once.
    minutes.set(4945, 5);
    const { announceLateRollups } = await import("../platform/late-rollups");
    announceLateRollups(4945, now + 31_000);
    await new Promise((r) => setTimeout(r, 50));
    reads.length = 0;
    expect((await readWithHourCache(owner, "r", ...window, now + 32_000, agg)).sum).toBe(64);
    expect(reads).toContainEqual([4943, 4950]);
    // Past its minute an edge range is read again.
    reads.length = 0;
    await readWithHourCache(owner, "r", ...window, now + 95_000, agg);
    expect(reads).toContainEqual([4943, 4950]);
  });

  it("reads every complete hour a window lacks in one call of the store's hour rollups", async () => {
    const owner = {};
    const minuteReads: [number, number][] = [];
    const hourReads: [number, number][] = [];
    const agg = {
      ...summing((m) => m, minuteReads),
      // The store answers hour rows; an hour without rows is simply absent.
      readHours: async (a: number, b: number) => {
        hourReads.push([a, b]);
        const out = new Map<number, { sum: number }>();
        for (let h = a; h < b; h += 60) {
          if (h === 120) continue;
          let sum = 0;
          for (let m = h; m < h + 60; m++) sum += m;
          out.set(h, { sum });
        }
        return out;
      },
    };
    const now = 1500 * 60_000;
    const expected = (lo: number, hi: number) =>
      ((hi - 1 + lo) * (hi - lo)) / 2 - (lo <= 120 && hi >= 180 ? 150 * 60 - 30 : 0);
    const got = await readWithHourCache(owner, "t", 10, 1450, now, agg);
    expect(got.sum).toBe(expected(10, 1450));
    expect(hourReads).toEqual([[60, 1440]]);
    // Only the partial edges came from minutes: 10..60 and 1440..1450 (through 10-minute blocks).
    expect(minuteReads.every(([a, b]) => a >= 1440 || b <= 60)).toBe(true);
    hourReads.length = 0;
    minuteReads.length = 0;
    let merges = 0;
    const counted = { ...agg, mergePacked: (into: { sum: number }, p: number) => void (merges++, (into.sum += p)) };
    expect((await readWithHourCache(owner, "t", 10, 1450, now, counted)).sum).toBe(expected(10, 1450));
    expect(hourReads).toEqual([]);
    expect(minuteReads.every(([a, b]) => b - a < 10)).toBe(true);
    // The run of complete blocks (23 hours and more) was merged once and kept whole: a read
    // again merges the edges and that one entry, not every block.
    expect(merges).toBeLessThanOrEqual(4);
  });
});
