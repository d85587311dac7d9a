import { describe, expect, it } from "vitest";
import { formatLogBody, nanosToMs, severityRangeOf } from "./log-types";

describe("log display helpers", () => {
  it("names severity ranges as the OTel data model does", () => {
    expect([0, 1, 4, 5, 9, 12, 13, 17, 20, 21, 24].map(severityRangeOf)).toEqual([
      "unspecified",
      "trace",
      "trace",
      "debug",
      "info",
      "info",
      "warn",
      "error",
      "error",
      "fatal",
      "fatal",
    ]);
  });
  it("shows structured bodies as JSON and strings verbatim", () => {
    expect(formatLogBody("<b>x</b>")).toBe("<b>x</b>");
    expect(formatLogBody({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(nanosToMs("1732533600123456789")).toBe(1732533600123);
  });
});
