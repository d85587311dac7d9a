import { describe, expect, it } from "vitest";
import { prepareLogHistogram } from "./prepare-log-histogram";

describe("prepareLogHistogram", () => {
  it("keeps every step, lists only the ranges present, and gives each bar its zoom window", () => {
    const zero = { unspecified: 0, trace: 0, debug: 0, info: 0, warn: 0, error: 0, fatal: 0 };
    const out = prepareLogHistogram({
      stepSeconds: 60,
      approximate: false,
      buckets: [
        { t: 0, total: 3, counts: { ...zero, info: 2, error: 1 } },
        { t: 60_000, total: 0, counts: zero },
      ],
    });
    expect(out.ranges).toEqual(["info", "error"]);
    expect(out.rows).toHaveLength(2);
    expect(out.rows[0]).toMatchObject({ t: 0, endMs: 60_000, info: 2, error: 1, total: 3 });
    expect(out.rows[1]!.endMs).toBe(120_000);
  });
});
