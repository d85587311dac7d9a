import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { findProgram, listMissing, SYSTEM_PACKAGES } from "./system-packages.mjs";

describe("system packages for the tests", () => {
  it("finds programs by absolute path or on PATH", () => {
    expect(findProgram(process.execPath)).toBe(process.execPath);
    expect(findProgram("node")).not.toBeNull();
    expect(findProgram("/no/such/program")).toBeNull();
    expect(findProgram("no-such-program-cartograph")).toBeNull();
  });

  it("lists only the missing packages of the suites asked for", () => {
    const fake = [
      { apt: "present", program: process.execPath, suites: ["e2e"], why: "" },
      { apt: "absent-e2e", program: "/no/such/a", suites: ["e2e"], why: "" },
      { apt: "absent-int", program: "/no/such/b", suites: ["integration"], why: "" },
    ];
    expect(listMissing(["e2e"], fake).map((p) => p.apt)).toEqual(["absent-e2e"]);
    expect(listMissing(["all"], fake).map((p) => p.apt)).toEqual(["absent-e2e", "absent-int"]);
    expect(listMissing(["unit"], fake)).toEqual([]);
  });

  it("covers the programs the suites start", () => {
    expect(SYSTEM_PACKAGES.map((p) => p.apt)).toEqual(
      expect.arrayContaining(["chromium", "prometheus", "prometheus-alertmanager", "postgresql"]),
    );
  });

  it("stops at once with the exact command when it cannot install (no apt-get reachable)", () => {
    let error: { status: number; stderr: Buffer } | undefined;
    try {
      // With an empty PATH neither prometheus nor apt-get is found.
      execFileSync(process.execPath, ["scripts/test/system-packages.mjs", "integration"], {
        stdio: "pipe",
        env: { ...process.env, PATH: "" },
      });
    } catch (e) {
      error = e as { status: number; stderr: Buffer };
    }
    expect(error?.status).toBe(1);
    expect(error?.stderr.toString()).toContain(
      "sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus",
    );
  });

  it("does nothing, and says nothing, when everything is installed", () => {
    if (listMissing(["all"]).length > 0) return; // this machine lacks some: the command would install them
    const out = execFileSync(process.execPath, ["scripts/test/system-packages.mjs", "all"], { stdio: "pipe" });
    expect(out.toString()).toBe("");
  });
});
