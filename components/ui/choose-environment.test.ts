import { describe, expect, it } from "vitest";
import {
  ALL_ENVIRONMENTS,
  chooseDefaultEnvironment,
  environmentParam,
  inEnvironment,
  listEnvironments,
} from "./choose-environment";

const svc = (environment: string | null, requests: number) => ({ environment, requests });

describe("environment choice", () => {
  it("opens on the busiest environment when there are several", () => {
    expect(
      chooseDefaultEnvironment([svc("staging", 50), svc("production", 40), svc("production", 30), svc(null, 5)]),
    ).toBe("production");
  });

  it("shows everything when there is a single group", () => {
    expect(chooseDefaultEnvironment([svc("production", 10), svc("production", 3)])).toBe(ALL_ENVIRONMENTS);
    expect(chooseDefaultEnvironment([svc(null, 10)])).toBe(ALL_ENVIRONMENTS);
    expect(chooseDefaultEnvironment([])).toBe(ALL_ENVIRONMENTS);
  });

  it("groups services without an environment under their own option", () => {
    expect(listEnvironments([svc(null, 1), svc("", 2), svc("qa", 9)])).toEqual([
      { value: "qa", label: "qa", requests: 9 },
      { value: "(none)", label: "No environment", requests: 3 },
    ]);
    expect(inEnvironment(null, "(none)")).toBe(true);
    expect(inEnvironment("qa", "(none)")).toBe(false);
    expect(inEnvironment("qa", ALL_ENVIRONMENTS)).toBe(true);
    expect(environmentParam(ALL_ENVIRONMENTS)).toBeUndefined();
  });
});
