import { describe, expect, it } from "vitest";
import { fromText, NEW_RULE, toBody, toText } from "./rule-draft";

describe("rule draft", () => {
  it("reads key=value lines, trimming and keeping values with '='", () => {
    expect(fromText(" severity = page \n\nteam=a=b\nlonely")).toEqual({ severity: "page", team: "a=b", lonely: "" });
    expect(fromText(toText({ a: "1", b: "x y" }))).toEqual({ a: "1", b: "x y" });
  });

  it("sends only the fields of the chosen rule type", () => {
    const edge = toBody({ ...NEW_RULE, type: "edge", source: "web", target: "db", service: "ignored" });
    expect(edge).toMatchObject({ type: "edge", source: "web", target: "db", signal: "error_rate", threshold: 0.05 });
    expect(edge).not.toHaveProperty("service");
    const coupling = toBody({ ...NEW_RULE, type: "coupling", minSeverity: "high" } as typeof NEW_RULE);
    expect(coupling).not.toHaveProperty("threshold");
    expect(coupling).not.toHaveProperty("signal");
    expect(coupling).toMatchObject({ type: "coupling", minSeverity: "high" });
  });
});
