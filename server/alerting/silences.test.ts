import { describe, expect, it } from "vitest";
import { findSilencing, silenceInputSchema } from "./silences";

describe("silences", () => {
  const s = (matchers: { name: string; op: "=" | "!=" | "=~" | "!~"; value: string }[]) => ({
    id: "s1",
    matchers,
    startsAt: 0,
    endsAt: 100,
  });
  it("mutes only when all matchers match inside the window", () => {
    const labels = { alertname: "HighErrors", service: "checkout-api" };
    expect(
      findSilencing(
        labels,
        [
          s([
            { name: "service", op: "=~", value: "checkout.*" },
            { name: "alertname", op: "=", value: "HighErrors" },
          ]),
        ],
        50,
      ),
    ).toEqual(["s1"]);
    expect(findSilencing(labels, [s([{ name: "service", op: "=~", value: "checkout" }])], 50)).toEqual([]);
    expect(findSilencing(labels, [s([{ name: "service", op: "!=", value: "checkout-api" }])], 50)).toEqual([]);
    expect(findSilencing(labels, [s([{ name: "team", op: "!~", value: ".+" }])], 50)).toEqual(["s1"]);
    expect(findSilencing(labels, [s([{ name: "service", op: "=", value: "checkout-api" }])], 100)).toEqual([]);
  });
  it("rejects bad regexes and inverted windows with field paths", () => {
    const r = silenceInputSchema.safeParse({
      matchers: [{ name: "a", op: "=~", value: "(" }],
      startsAt: "2026-01-02T00:00:00Z",
      endsAt: "2026-01-01T00:00:00Z",
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["matchers.0.value", "endsAt"]),
    );
  });
});
