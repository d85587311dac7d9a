import { describe, expect, it } from "vitest";
import { explainRegexSyntax } from "./regex-syntax";

describe("the engine-free regex check (browser side of the contract)", () => {
  it("accepts ordinary RE2 patterns", () => {
    for (const p of ["check.*", "(a|b)+", "[)(]x", "[]a]", "[^]]", "\\(", "a\\\\", "(?i)pay", "(?P<n>x)", "x{2,3}"])
      expect(explainRegexSyntax(p), p).toBeNull();
  });
  it("refuses what RE2 never runs and what cannot parse", () => {
    expect(explainRegexSyntax("(a)\\1")).toMatch(/backreferences/);
    expect(explainRegexSyntax("(?=a)")).toMatch(/lookaround/);
    expect(explainRegexSyntax("(?<!a)b")).toMatch(/lookaround/);
    expect(explainRegexSyntax("(?>a)")).toMatch(/atomic/);
    expect(explainRegexSyntax("(a")).toMatch(/missing \)/);
    expect(explainRegexSyntax("a)")).toMatch(/unmatched \)/);
    expect(explainRegexSyntax("[a")).toMatch(/missing \]/);
    expect(explainRegexSyntax("a\\")).toMatch(/trailing backslash/);
  });
});
