import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { LogRecord, ResourceInfo } from "../../normalize";
import { openWriterDb, type Db } from "./open";
import { createLogAppender } from "./logs-append";
import { countLogs, countLogsByService, searchLogs, type LogCursor } from "./logs-read";
import { enforceLogRetention } from "./logs-retention";
import { LEGACY_ID_LIMIT, SLOTS_PER_MS } from "./logs-ids";

/**
 * Time-ordered log ids (logs-ids.ts) against what a user sees: late lines, bursts with one
 * timestamp, pages, retried batches, retention and databases written before the scheme.
 */
const T0 = Date.parse("2026-11-25T10:00:00Z");
const MS = 1_000_000n;
const resource = (service: string): ResourceInfo => ({
  service,
  namespace: null,
  environment: null,
  attributes: { "service.name": service },
});
const line = (atNs: bigint, body: string, severity = 9, service = "api"): LogRecord => ({
  timeNs: atNs,
  observedNs: atNs,
  severityNumber: severity,
  severityText: "",
  body,
  attributes: {},
  traceId: null,
  spanId: null,
  flags: 0,
  scope: { name: "", version: "" },
  resource: resource(service),
});

const dirs: string[] = [];
let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function open(): Db {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cartograph-log-ids-"));
  dirs.push(dir);
  db = openWriterDb(dir);
  return db;
}

/** Every page of a search, following cursors: the bodies in the order served. */
function allPages(d: Db, f: Parameters<typeof searchLogs>[1], pageSize: number): string[] {
  const out: string[] = [];
  let after: LogCursor | undefined;
  for (;;) {
    const rows = searchLogs(d, f, pageSize, after);
    out.push(...rows.map((r) => String(r.body)));
    if (rows.length < pageSize) return out;
    const last = rows[rows.length - 1]!;
    after = { timeNs: last.timeNs, id: last.id };
  }
}

const window = (fromMs: number, toMs: number) => ({ fromNs: BigInt(fromMs) * MS, toNs: BigInt(toMs) * MS });

describe("time-ordered log ids", () => {
  it("finds a late line by text where its time puts it, newest first across pages", () => {
    const d = open();
    const append = createLogAppender(d);
    const write = (rs: LogRecord[]) => d.transaction(() => append.appendLogs(rs))();
    write(Array.from({ length: 50 }, (_, i) => line(BigInt(T0 + i * 1000) * MS, `order timeout n${i}`)));
    // Arrives after everything else but happened in the middle (and one before the window).
    write([line(BigInt(T0 + 20_500) * MS, "order timeout late"), line(BigInt(T0 - 5_000) * MS, "order timeout early")]);
    const bodies = allPages(d, { ...window(T0, T0 + 60_000), text: "timeout" }, 7);
    const want = [
      ...Array.from({ length: 50 }, (_, i) => `order timeout n${49 - i}`).slice(0, 29),
      "order timeout late",
      ...Array.from({ length: 21 }, (_, i) => `order timeout n${20 - i}`),
    ];
    expect(bodies).toEqual(want);
    expect(searchLogs(d, { ...window(T0 - 10_000, T0), text: "order" }, 10).map((r) => r.body)).toEqual([
      "order timeout early",
    ]);
  });

  it("keeps sub-millisecond order and stores a burst larger than a millisecond's ids", () => {
    const d = open();
    const append = createLogAppender(d);
    const at = BigInt(T0) * MS;
    const burst = SLOTS_PER_MS * 2 + 100;
    // One timestamp for the whole burst (a sender with second precision), in two batches.
    d.transaction(() => append.appendLogs(Array.from({ length: 3000 }, (_, i) => line(at, `burst word b${i}`))))();
    d.transaction(() =>
      append.appendLogs(Array.from({ length: burst - 3000 }, (_, i) => line(at, `burst word b${3000 + i}`))),
    )();
    // Lines inside the same millisecond after it, and in the next milliseconds.
    d.transaction(() =>
      append.appendLogs([
        line(at + 400_000n, "burst word sub-ms"),
        line(at + MS, "burst word next-ms"),
        line(at + 3n * MS, "burst word plus-3ms"),
      ]),
    )();
    const inMs = searchLogs(d, { fromNs: at, toNs: at + MS, text: "word" }, 5);
    expect(inMs.map((r) => r.body)).toEqual([
      "burst word sub-ms",
      `burst word b${burst - 1}`,
      `burst word b${burst - 2}`,
      `burst word b${burst - 3}`,
      `burst word b${burst - 4}`,
    ]);
    expect(allPages(d, { fromNs: at, toNs: at + MS, text: "burst" }, 500)).toHaveLength(burst + 1);
    expect(searchLogs(d, { fromNs: at + MS, toNs: at + 10n * MS, text: "burst" }, 10).map((r) => r.body)).toEqual([
      "burst word plus-3ms",
      "burst word next-ms",
    ]);
    const hist = countLogs(d, { fromNs: at, toNs: at + 10n * MS, text: "word" }, 1);
    expect(hist.sort((a, b) => a.t - b.t)).toEqual([
      { t: T0, severityRange: 3, count: burst + 1 },
      { t: T0 + 1, severityRange: 3, count: 1 },
      { t: T0 + 3, severityRange: 3, count: 1 },
    ]);
    // A retried batch stores nothing twice, even where ids overflowed.
    expect(d.transaction(() => append.appendLogs([line(at, "burst word b17"), line(at, "burst word b4000")]))()).toBe(
      0,
    );
    expect(countLogsByService(d, { fromNs: at, toNs: at + MS, text: "burst" })).toEqual([
      { service: "api", count: burst + 1 },
    ]);
  });

  it("applies service and severity on top of text, and answers empty outside the data", () => {
    const d = open();
    const append = createLogAppender(d);
    d.transaction(() =>
      append.appendLogs(
        Array.from({ length: 400 }, (_, i) =>
          line(
            BigInt(T0 + i * 10) * MS,
            `retry ${i % 3 === 0 ? "cache" : "db"} r${i}`,
            i % 4 === 0 ? 17 : 9,
            `s${i % 5}`,
          ),
        ),
      ),
    )();
    const got = allPages(d, { ...window(T0, T0 + 4000), text: "retry cache", service: "s2", minSeverity: 17 }, 3);
    const want = Array.from({ length: 400 }, (_, i) => i)
      .filter((i) => i % 3 === 0 && i % 5 === 2 && i % 4 === 0)
      .reverse()
      .map((i) => `retry cache r${i}`);
    expect(want.length).toBeGreaterThan(3);
    expect(got).toEqual(want);
    expect(searchLogs(d, { ...window(T0 + 5000, T0 + 9000), text: "retry" }, 5)).toEqual([]);
    expect(searchLogs(d, { ...window(T0, T0 + 4000), text: "absent" }, 5)).toEqual([]);
  });

  it("reads lines numbered by arrival (a database from before) beside new ones, and retention removes both with their text", () => {
    const d = open();
    // The previous append path: ids by arrival, text index rows under the same ids in the
    // first text index (logs_fts); the writer then opens it (createLogAppender).
    const legacy = d.prepare(`INSERT INTO logs
      (id, time_ns, fingerprint, observed_ns, service, severity, severity_text, body, body_json, trace_id, span_id, flags, resource_id, scope, attributes)
      VALUES (?, ?, ?, ?, 'api', 9, '', ?, 0, NULL, NULL, 0, 0, NULL, '{}')`);
    const legacyText = d.prepare(`INSERT INTO logs_fts (rowid, body) VALUES (?, ?)`);
    d.transaction(() => {
      for (let i = 1; i <= 30; i++) {
        const t = BigInt(T0 + i * 2000 - 1000) * MS;
        legacy.run(i, t, i, t, `payment declined old${i}`);
        legacyText.run(i, `payment declined old${i}`);
      }
    })();
    const append = createLogAppender(d);
    d.transaction(() =>
      append.appendLogs(
        Array.from({ length: 30 }, (_, i) => line(BigInt(T0 + (i + 1) * 2000) * MS, `payment declined new${i + 1}`)),
      ),
    )();
    const bodies = allPages(d, { ...window(T0, T0 + 61_000), text: "declined" }, 4);
    const want = Array.from({ length: 30 }, (_, k) => 30 - k).flatMap((i) => [
      `payment declined new${i}`,
      `payment declined old${i}`,
    ]);
    expect(bodies).toEqual(want);
    const hist = countLogs(d, { ...window(T0, T0 + 60_000), text: "payment" }, 60_000);
    expect(hist).toEqual([{ t: T0, severityRange: 3, count: 59 }]);
    expect(d.prepare(`SELECT count(*) FROM logs WHERE id < ?`).pluck().get(LEGACY_ID_LIMIT)).toBe(30);

    // Age retention at T0 + 31 s: lines before it go, old and new, with their index rows.
    enforceLogRetention(d, { rawMaxAgeMs: 1000, diskBudgetBytes: 0 }, T0 + 32_000);
    const left = allPages(d, { ...window(T0, T0 + 61_000), text: "declined" }, 100);
    expect(left).toEqual(want.slice(0, 30));
    const indexed = d.prepare(`SELECT count(*) FROM logs_fts WHERE logs_fts MATCH 'declined'`).pluck().get();
    expect(indexed).toBe(15);
    expect(d.prepare(`SELECT count(*) FROM logs_text WHERE logs_text MATCH 'declined'`).pluck().get()).toBe(15);
    // Once no line of the first index's range is left, that index goes.
    enforceLogRetention(d, { rawMaxAgeMs: 1000, diskBudgetBytes: 0 }, T0 + 120_000);
    expect(d.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'logs_fts'`).pluck().get()).toBe(0);
    append.appendLogs([line(BigInt(T0 + 200_000) * MS, "payment declined later")]);
    expect(allPages(d, { ...window(T0, T0 + 300_000), text: "declined" }, 10)).toEqual(["payment declined later"]);
  });
});
