import { describe, expect, it } from "vitest";
import { toFtsQuery } from "./logs-text-query";

describe("toFtsQuery", () => {
  it("ANDs quoted terms so user text is never FTS5 syntax", () => {
    expect(toFtsQuery("payment failed")).toBe('"payment" AND "failed"');
    expect(toFtsQuery("OR NOT ( ) NEAR")).toBe('"OR" AND "NOT" AND "NEAR"');
    expect(toFtsQuery('say "hi"there')).toBe('"say" AND "hi" AND "there"');
  });
  it("keeps phrases and prefixes", () => {
    expect(toFtsQuery('"card declined" time*')).toBe('"card declined" AND "time" *');
  });
  it("escapes quotes and drops punctuation-only terms", () => {
    expect(toFtsQuery('a"b')).toBe('"a""b"');
    expect(toFtsQuery("-- ** !!")).toBeNull();
    expect(toFtsQuery("   ")).toBeNull();
  });
});
