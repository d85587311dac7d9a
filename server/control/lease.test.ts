import { describe, expect, it } from "vitest";
import { decideLeaseStep, defaultLeaseMs, leaseTiming } from "./lease";

describe("decideLeaseStep", () => {
  it("creates the lease when there is none", () => {
    expect(decideLeaseStep(null, "a", 1000)).toEqual({ kind: "create" });
  });
  it("renews its own live lease, and follows another's", () => {
    expect(decideLeaseStep({ holder: "a", term: 3, expiresAt: 2000 }, "a", 1000)).toEqual({ kind: "renew", term: 3 });
    expect(decideLeaseStep({ holder: "b", term: 3, expiresAt: 2000 }, "a", 1000)).toEqual({
      kind: "follow",
      holder: "b",
      expiresAt: 2000,
    });
  });
  it("takes over an expired lease, its own included (a new term fences the old writes)", () => {
    expect(decideLeaseStep({ holder: "b", term: 3, expiresAt: 1000 }, "a", 1000)).toEqual({
      kind: "take-over",
      fromTerm: 3,
    });
    expect(decideLeaseStep({ holder: "a", term: 3, expiresAt: 999 }, "a", 1000)).toEqual({
      kind: "take-over",
      fromTerm: 3,
    });
  });
});

describe("lease timing", () => {
  it("fits lease plus one renewal period inside the alert interval", () => {
    for (const interval of [1000, 2000, 15_000, 60_000]) {
      const { leaseMs, renewMs } = leaseTiming(defaultLeaseMs(interval));
      if (interval >= 1500) expect(leaseMs + renewMs).toBeLessThanOrEqual(interval);
      expect(renewMs).toBeLessThan(leaseMs);
    }
  });
  it("steps down before anyone else may take the lease", () => {
    const t = leaseTiming(9000);
    expect(t.stepDownAfterMs).toBeLessThan(t.leaseMs);
    expect(t.renewMs).toBe(3000);
  });
});
