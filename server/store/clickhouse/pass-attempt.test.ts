import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mergeAttempt, passAttempt } from "./graph-io";

/** Readers keep the greatest committed attempt of a window (max(attempt) in SQL: byte order). */
const latest = (attempts: string[]) => [...attempts].sort().at(-1);

describe("pass attempts order the runs of one window", () => {
  it("a final pass wins over an early one, whatever they read", () => {
    const early = passAttempt({ final: false, spans: 900 });
    const final = passAttempt({ final: true, spans: 12 });
    expect(latest([final, early])).toBe(final);
  });

  it("of two runs of the same kind, the one that read more spans wins", () => {
    const fewer = passAttempt({ final: true, spans: 99 });
    const more = passAttempt({ final: true, spans: 100 });
    expect(latest([more, fewer])).toBe(more);
    expect(latest([passAttempt({ final: false, spans: 3 }), passAttempt({ final: false, spans: 20 })])).toMatch(
      /^r0000000000020-/,
    );
  });

  it("any run wins over attempts written before schema version 6 (plain UUIDs)", () => {
    const old = ["ffffffff-ffff-4fff-bfff-ffffffffffff", randomUUID()];
    expect(latest([...old, passAttempt({ final: false, spans: 0 })])).toMatch(/^r0/);
    expect(latest([...old, mergeAttempt(0)])).toMatch(/^r/);
  });

  it("a later merge wins over an earlier one", () => {
    const first = mergeAttempt(Date.UTC(2026, 0, 1));
    const second = mergeAttempt(Date.UTC(2026, 0, 1) + 1);
    expect(latest([second, first])).toBe(second);
  });
});
