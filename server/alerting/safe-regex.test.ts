import { describe, expect, it } from "vitest";
import { compileSafeRegex, explainRegexError } from "./safe-regex";
import { matchName } from "./evaluate-rule";
import { matchMatcher } from "./silences";
import { ruleDefinitionSchema } from "./rule-schema";
import { explainRegexSyntax } from "../../lib/regex-syntax";

describe("user regexes run in linear time", () => {
  // With a backtracking engine each of these takes longer than the test timeout (ReDoS).
  const evil = "a".repeat(100_000) + "!";

  it("matches a catastrophic pattern against a hostile name at once", () => {
    expect(matchName("~(a+)+$", evil)).toBe(false);
    expect(matchName("~(a|aa)*b", evil)).toBe(false);
    expect(matchMatcher({ name: "service", op: "=~", value: "(a*)*c" }, { service: evil })).toBe(false);
    expect(matchName("~check.*", "checkout")).toBe(true);
    expect(matchName("~check", "checkout")).toBe(false); // fully anchored
  });

  it("refuses patterns RE2 cannot run when the rule is saved", () => {
    expect(explainRegexError("(a)\\1")).toMatch(/RE2/);
    expect(explainRegexError("(?=a)")).toMatch(/RE2/);
    expect(compileSafeRegex("[")).toBeNull();
    const r = ruleDefinitionSchema.safeParse({
      type: "service",
      name: "x",
      service: "~(a)\\1",
      signal: "error_rate",
      op: ">",
      threshold: 0.1,
      windowSeconds: 60,
    });
    expect(r.success).toBe(false);
  });

  it("makes the contract's check a real RE2 compile on the server", () => {
    // `a**` passes the browser's engine-free check but RE2 refuses it.
    expect(explainRegexSyntax("a**")).toBeNull();
    const r = ruleDefinitionSchema.safeParse({
      type: "service",
      name: "x",
      service: "~a**",
      signal: "error_rate",
      op: ">",
      threshold: 0.1,
      windowSeconds: 60,
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/RE2/);
  });
});
