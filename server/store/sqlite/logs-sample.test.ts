import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../normalize";
import type { LogFilter } from "../telemetry-store";
import { type Db } from "./open";
import { useTempWriterDbs } from "./temp-writer-db.test-support";
import { createLogAppender } from "./logs-append";
import { countLogs, countLogsWithin } from "./logs-count";

/**
 * Histograms under a row budget (logs-sample.ts): a text search with an attribute filter over
 * more matches than the budget is estimated from a share of the matches and says so; within
 * the budget, and without row-level filters, it is exact.
 */
const T0 = Date.parse("2026-11-25T10:00:00Z");
const MS = 1_000_000n;

const open = useTempWriterDbs("log-sample");

/** 40,000 lines over 10 minutes at millisecond precision (every id on its millisecond's slot 0). */
function fill(): Db {
  const d = open();
  let seed = 17;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines: LogRecord[] = [];
  for (let n = 0; n < 40_000; n++) {
    const ms = T0 + Math.floor(n * 15);
    lines.push({
      timeNs: BigInt(ms) * MS,
      observedNs: BigInt(ms) * MS,
      severityNumber: rand() < 0.2 ? 17 : 9,
      severityText: "",
      body: `${rand() < 0.5 ? "cache" : "store"} request ${n}`,
      attributes: { route: rand() < 0.25 ? "/order" : "/cart" },
      traceId: null,
      spanId: null,
      flags: 0,
      scope: { name: "", version: "" },
      resource: { service: "api", namespace: null, environment: null, attributes: {} },
    });
  }
  const append = createLogAppender(d);
  const write = d.transaction((b: LogRecord[]) => append.appendLogs(b));
  for (let i = 0; i < lines.length; i += 1000) write(lines.slice(i, i + 1000));
  return d;
}

const total = (rows: { count: number }[]) => rows.reduce((s, r) => s + r.count, 0);
const byStep = (rows: { t: number; count: number }[]) => {
  const m = new Map<number, number>();
  for (const r of rows) m.set(r.t, (m.get(r.t) ?? 0) + r.count);
  return m;
};

describe("log histograms under a row budget", () => {
  it("estimates a text + attribute histogram from a share of its matches, and says so", () => {
    const d = fill();
    const f: LogFilter = {
      fromNs: BigInt(T0) * MS,
      toNs: BigInt(T0 + 600_000) * MS,
      text: "cache",
      attributes: [{ key: "route", value: "/order" }],
    };
    const exact = countLogs(d, f, 60_000);
    // ~20,000 matches of the text: within a 50,000 budget exact, under a 4,000 one a sample.
    expect(countLogsWithin(d, f, 60_000, 50_000)).toEqual({ rows: exact, approximate: false });
    const est = countLogsWithin(d, f, 60_000, 4_000);
    expect(est.approximate).toBe(true);
    const want = total(exact);
    expect(want).toBeGreaterThan(4_000);
    expect(Math.abs(total(est.rows) - want)).toBeLessThan(want * 0.1);
    // Every minute estimated within 30 % (~50 sampled lines each), none left empty.
    const got = byStep(est.rows);
    for (const [t, n] of byStep(exact)) expect(Math.abs((got.get(t) ?? 0) - n), `minute ${t}`).toBeLessThan(n * 0.3);
  });

  it("stays exact without row-level filters, whatever the budget", () => {
    const d = fill();
    const f: LogFilter = { fromNs: BigInt(T0) * MS, toNs: BigInt(T0 + 600_000) * MS, text: "cache", minSeverity: 17 };
    expect(countLogsWithin(d, f, 60_000, 10)).toEqual({ rows: countLogs(d, f, 60_000), approximate: false });
  });
});
