import { describe, expect, it } from "vitest";
import { jaegerTraces, parseGoDurationUs } from "./jaeger";

const parse = (q: Record<string, string | string[]>) => jaegerTraces.query!.safeParse(q);

describe("Jaeger trace search parameters", () => {
  it("reads Go durations, including compound ones and the UI's days", () => {
    expect(parseGoDurationUs("100ms")).toBe(100_000);
    expect(parseGoDurationUs("1h30m")).toBe(5400e6);
    expect(parseGoDurationUs("1.5s")).toBe(1.5e6);
    expect(parseGoDurationUs("2d")).toBe(2 * 86_400e6);
    expect(parseGoDurationUs("fast")).toBeNull();
    expect(parseGoDurationUs("10")).toBeNull();
  });

  it("turns tags (JSON and repeated key:value) into pairs and empty fields into absent ones", () => {
    const r = parse({
      service: "auth",
      tags: '{"http.status_code":500,"error":"true"}',
      tag: ["region:eu", "url:http://x"],
      minDuration: "",
      limit: "",
    });
    expect(r.success).toBe(true);
    expect(r.data).toMatchObject({
      service: "auth",
      tags: [
        { key: "http.status_code", value: "500" },
        { key: "error", value: "true" },
      ],
      tag: [
        { key: "region", value: "eu" },
        { key: "url", value: "http://x" },
      ],
    });
    expect(r.data!.minDuration).toBeUndefined();
    expect(r.data!.limit).toBeUndefined();
    expect(parse({ service: "auth", lookback: "custom" }).data!.lookback).toBeUndefined();
  });

  it("lowers a limit above what one answer holds instead of refusing it (Jaeger has no cap)", () => {
    expect(parse({ service: "a", limit: "5000" }).data!.limit).toBe(1000);
    expect(parse({ service: "a", limit: "7" }).data!.limit).toBe(7);
  });

  it("names the parameter at fault", () => {
    const issues = (q: Record<string, string>) =>
      (parse(q).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues({})).toEqual(["service: parameter 'service' is required"]);
    expect(issues({ service: "a", minDuration: "fast" })[0]).toMatch(/^minDuration: "fast" is not a duration/);
    expect(issues({ service: "a", tags: "{not json" })[0]).toMatch(/^tags: .*JSON object/);
    expect(issues({ service: "a", tag: "novalue" })[0]).toMatch(/key:value/);
    expect(issues({ service: "a", limit: "0" })[0]).toMatch(/^limit: must be a positive integer/);
    expect(issues({ service: "a", limit: "-5" })[0]).toMatch(/^limit: must be a positive integer/);
    expect(issues({ service: "a", minDuration: "2s", maxDuration: "1s" })[0]).toMatch(
      /minDuration must not be greater/,
    );
    expect(issues({ service: "a", start: "20", end: "10" })[0]).toMatch(/start must not be after end/);
  });
});
