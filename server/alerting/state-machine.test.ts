import { describe, expect, it } from "vitest";
import { decideNotification, nextAlertState, type AlertInstanceState, type InstanceInput } from "./state-machine";

const id = { ruleId: "r", fingerprint: "f", labels: { alertname: "A" } };
const on: InstanceInput = { kind: "sample", active: true, value: 1 };
const off: InstanceInput = { kind: "sample", active: false, value: 0 };
const miss: InstanceInput = { kind: "missing" };

/** Runs inputs at t = 0, 60 s, 120 s, ... and returns the state after each (or "inactive"). */
function run(inputs: InstanceInput[], forS: number, keepS = 0, start: AlertInstanceState | null = null) {
  let s = start;
  return inputs.map((inp, i) => {
    s = nextAlertState(s, inp, i * 60_000, { forMs: forS * 1000, keepFiringForMs: keepS * 1000 }, id);
    return s?.state ?? "inactive";
  });
}

describe("nextAlertState", () => {
  it("goes pending, then firing after `for`, then resolved", () => {
    expect(run([on, on, on, off, off], 120)).toEqual(["pending", "pending", "firing", "resolved", "resolved"]);
  });
  it("fires at once without `for`", () => {
    expect(run([on], 0)).toEqual(["firing"]);
  });
  it("drops a pending instance silently when the condition clears", () => {
    expect(run([on, off], 300)).toEqual(["pending", "inactive"]);
  });
  it("keeps firing through flapping within keepFiringFor and resets the timer when the condition returns", () => {
    expect(run([on, off, on, off, off, off], 0, 120)).toEqual([
      "firing",
      "firing",
      "firing",
      "firing",
      "firing",
      "resolved",
    ]);
  });
  it("resolves a missing series only after two evaluations", () => {
    expect(run([on, miss, miss], 0)).toEqual(["firing", "firing", "resolved"]);
    let s = nextAlertState(null, on, 0, { forMs: 0, keepFiringForMs: 0 }, id);
    s = nextAlertState(s, miss, 1, { forMs: 0, keepFiringForMs: 0 }, id);
    s = nextAlertState(s, miss, 2, { forMs: 0, keepFiringForMs: 0 }, id);
    expect(s).toMatchObject({ state: "resolved", reason: "missing-series" });
  });
  it("keeps the `for` timer across a restart (state restored from storage)", () => {
    const t = { forMs: 600_000, keepFiringForMs: 0 };
    const first = nextAlertState(null, on, 0, t, id)!;
    const restored = JSON.parse(JSON.stringify(first)) as AlertInstanceState;
    expect(nextAlertState(restored, on, 360_000, t, id)!.state).toBe("pending");
    expect(nextAlertState(restored, on, 600_000, t, id)).toMatchObject({
      state: "firing",
      activeAt: 0,
      firedAt: 600_000,
    });
  });
  it("returns firing to pending when `for` is raised above the active time", () => {
    const s = nextAlertState(null, on, 0, { forMs: 0, keepFiringForMs: 0 }, id)!;
    expect(nextAlertState(s, on, 60_000, { forMs: 600_000, keepFiringForMs: 0 }, id)!.state).toBe("pending");
  });
  it("records no-data and error states with their reason", () => {
    expect(
      nextAlertState(
        null,
        { kind: "special", state: "nodata", reason: "no series" },
        0,
        { forMs: 0, keepFiringForMs: 0 },
        id,
      ),
    ).toMatchObject({ state: "nodata", reason: "no series" });
  });
});

describe("decideNotification", () => {
  const firing = { state: "firing" } as AlertInstanceState;
  const resolved = { state: "resolved" } as AlertInstanceState;
  it("sends one firing, then one resolved, and no resolve without a firing", () => {
    expect(decideNotification(firing, "", false)).toBe("firing");
    expect(decideNotification(firing, "firing", false)).toBeNull();
    expect(decideNotification(resolved, "firing", false)).toBe("resolved");
    expect(decideNotification(resolved, "resolved", false)).toBeNull();
    expect(decideNotification(null, "", false)).toBeNull();
    expect(decideNotification(null, "firing", false)).toBe("resolved");
  });
  it("holds a silenced firing back and still resolves one that was sent", () => {
    expect(decideNotification(firing, "", true)).toBeNull();
    expect(decideNotification(resolved, "firing", true)).toBe("resolved");
  });
});
