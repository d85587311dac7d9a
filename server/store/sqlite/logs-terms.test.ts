import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../normalize";
import type { LogFilter } from "../telemetry-store";
import { type Db } from "./open";
import { useTempWriterDbs } from "./temp-writer-db.test-support";
import { createLogAppender } from "./logs-append";
import { countLogs } from "./logs-read";
import { severityRange } from "./logs-schema";
import { enforceLogRetention } from "./logs-retention";
import { asciiWords, PROMOTE_EVERY } from "./logs-terms";

/**
 * Per-minute counts of frequent words (logs-terms.ts) against the text index itself: the
 * appender's word split must equal FTS5's, and a histogram of one word must count exactly the
 * lines the index matches, read one by one.
 */
const T0 = Date.parse("2026-11-25T10:00:00Z");
const MS = 1_000_000n;
const MINUTE_MS = 60_000;
const WORDS = ["retry", "Timeout", "checkout", "cache_miss", "re-try", "pay:ment", "ORDER", "42", "x9"];
const SEVERITIES = [0, 1, 5, 9, 9, 9, 12, 13, 14, 17, 20, 21, 24];

const open = useTempWriterDbs("log-terms");

/** `count` lines over `minutes` minutes from T0, 1 in 40 up to 3 minutes late; minutes 20 and 21 hold non-ASCII bodies. */
function makeLines(count: number, minutes: number, seed = 5): LogRecord[] {
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const lines: LogRecord[] = [];
  for (let n = 0; n < count; n++) {
    const ms = T0 + Math.floor((n * minutes * MINUTE_MS) / count) - (n % 40 === 3 ? Math.floor(rand() * 180_000) : 0);
    const minute = Math.floor((ms - T0) / MINUTE_MS);
    const accent = (minute === 20 || minute === 21) && n % 7 === 0 ? " Zürich—timeout" : "";
    lines.push({
      timeNs: BigInt(ms) * MS + BigInt(Math.floor(rand() * 1e6)),
      observedNs: BigInt(ms) * MS,
      severityNumber: pick(SEVERITIES),
      severityText: "",
      body: `${pick(WORDS)}\t${pick(WORDS)} ${pick(WORDS)}.${pick(WORDS)} #${n % 300}${accent}`,
      attributes: {},
      traceId: null,
      spanId: null,
      flags: 0,
      scope: { name: "", version: "" },
      resource: { service: `svc-${n % 3}`, namespace: null, environment: null, attributes: {} },
    });
  }
  return lines;
}

function appendInBatches(d: Db, lines: LogRecord[], batch = 500): void {
  const append = createLogAppender(d);
  const write = d.transaction((b: LogRecord[]) => append.appendLogs(b));
  for (let i = 0; i < lines.length; i += batch) write(lines.slice(i, i + batch));
}

/** The index's own answer, bucketed line by line: `${t}/${severityRange}=${count}`. */
function indexCounts(d: Db, f: LogFilter, stepMs: number): string[] {
  const rows = d
    .prepare(
      `SELECT l.time_ns AS t, l.severity AS s FROM logs l WHERE l.id IN (SELECT rowid FROM logs_text WHERE logs_text MATCH ?)`,
    )
    .safeIntegers(true)
    .all(`body : "${f.text}"`) as { t: bigint; s: bigint }[];
  const counts = new Map<string, number>();
  const originMs = Number(f.fromNs / MS);
  for (const r of rows) {
    if (r.t < f.fromNs || r.t >= f.toNs || (f.minSeverity !== undefined && Number(r.s) < f.minSeverity)) continue;
    const key = `${originMs + Number((r.t - f.fromNs) / (BigInt(stepMs) * MS)) * stepMs}/${severityRange(Number(r.s))}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}=${n}`).sort();
}

const gotCounts = (d: Db, f: LogFilter, stepMs: number) =>
  countLogs(d, f, stepMs)
    .filter((r) => r.count > 0)
    .map((r) => `${r.t}/${r.severityRange}=${r.count}`)
    .sort();

const window = (fromMin: number, toMin: number, extraNs = 0n) => ({
  fromNs: BigInt(T0 + fromMin * MINUTE_MS) * MS,
  toNs: BigInt(T0 + toMin * MINUTE_MS) * MS + extraNs,
});

describe("per-minute counts of frequent words", () => {
  it("splits ASCII bodies into the words FTS5 indexes, and declines any other body", () => {
    const d = open();
    d.exec(`CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE tv USING fts5vocab(t, 'row');`);
    let seed = 3;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const counted = new Map<string, number>();
    const insert = d.prepare(`INSERT INTO t (body) VALUES (?)`);
    for (let n = 0; n < 2000; n++) {
      // Every printable and control ASCII character, in short runs.
      const text = Array.from({ length: 1 + Math.floor(rand() * 40) }, () =>
        String.fromCharCode(rand() < 0.6 ? 97 + Math.floor(rand() * 3) : Math.floor(rand() * 128)),
      ).join("");
      insert.run(text);
      for (const w of asciiWords(text)!) counted.set(w, (counted.get(w) ?? 0) + 1);
    }
    const indexed = new Map(
      (d.prepare(`SELECT term, doc FROM tv`).all() as { term: string; doc: number }[]).map((r) => [r.term, r.doc]),
    );
    expect(counted.size).toBeGreaterThan(100);
    expect(new Map([...counted].sort())).toEqual(new Map([...indexed].sort()));
    expect(asciiWords("Zürich timeout")).toBeNull();
    expect(asciiWords("a—b")).toBeNull();
  });

  it("counts one word's histogram exactly as the index matches it, from the minute counts where they hold", () => {
    const d = open();
    const lines = makeLines(3 * PROMOTE_EVERY, 40);
    appendInBatches(d, lines);
    const tracked = new Map(
      (d.prepare(`SELECT term, since_minute AS s FROM log_term`).all() as { term: string; s: number }[]).map((r) => [
        r.term,
        r.s - T0 / MINUTE_MS,
      ]),
    );
    // Tracked from the minute after the first stretch's lines (about minute 13), words of 1 % or more only.
    expect([...tracked.keys()].sort()).toEqual(
      ["42", "cache", "checkout", "miss", "order", "pay", "re", "ment", "retry", "timeout", "try", "x9"].sort(),
    );
    expect(tracked.get("retry")).toBeGreaterThan(12);
    expect(tracked.get("retry")).toBeLessThan(16);
    const cases: [Partial<LogFilter>, number, number, bigint][] = [];
    for (const text of ["retry", "TIMEOUT", "checkout", "miss", "check*", "x9", '"order"', "zurich"])
      for (const [from, to, extra] of [
        [16, 40, 0n],
        [17, 30, 12_345n],
        [5, 40, 0n],
        [16, 19, 0n],
        [22, 45, 0n],
      ] as const)
        cases.push([{ text }, from, to, extra], [{ text, minSeverity: 13 }, from, to, extra]);
    for (const [q, from, to, extra] of cases) {
      const f = { ...window(from, to, extra), ...q } as LogFilter;
      const word = f.text === "check*" ? "checkout" : f.text!.replace(/"/g, "").toLowerCase();
      for (const step of [60_000, 300_000]) {
        const label = `${JSON.stringify(q)} ${from}-${to} step ${step}`;
        expect(gotCounts(d, f, step), label).toEqual(indexCounts(d, { ...f, text: word }, step));
      }
    }
    // The counts are what answers: without them the whole minutes they answer for read
    // nothing; minutes up to the last with a non-ASCII body (21) are counted from the index.
    const f = { ...window(16, 19), text: "retry" } as LogFilter;
    const g = { ...window(18, 24), text: "retry" } as LogFilter;
    expect(gotCounts(d, f, 60_000).length).toBeGreaterThan(10);
    const minutesOf = (rows: string[], from: number, to: number) =>
      rows.filter((r) => {
        const m = (Number(r.split("/")[0]) - T0) / MINUTE_MS;
        return m >= from && m < to;
      });
    const before = indexCounts(d, g, 60_000);
    d.prepare(`DELETE FROM log_term_minute WHERE term_id = (SELECT id FROM log_term WHERE term = 'retry')`).run();
    expect(gotCounts(d, f, 60_000)).toEqual([]);
    expect(gotCounts(d, g, 60_000)).toEqual(minutesOf(before, 18, 22));
    expect(minutesOf(before, 22, 24).length).toBeGreaterThan(0);
  });

  it("stays exact after a rolled-back batch and after retention cut a minute in two", () => {
    const d = open();
    const lines = makeLines(4 * PROMOTE_EVERY, 40, 9);
    const append = createLogAppender(d);
    const write = d.transaction((b: LogRecord[]) => append.appendLogs(b));
    write(lines.slice(0, 500));
    // A whole stretch in one batch that fails after its words were promoted: nothing of it stays.
    expect(() =>
      d.transaction(() => {
        append.appendLogs(lines.slice(500, 500 + PROMOTE_EVERY));
        expect(d.prepare(`SELECT count(*) FROM log_term`).pluck().get()).toBeGreaterThan(0);
        throw new Error("disk full");
      })(),
    ).toThrow("disk full");
    expect(d.prepare(`SELECT count(*) FROM log_term`).pluck().get()).toBe(0);
    for (let i = 500; i < lines.length; i += 500) write(lines.slice(i, i + 500));
    for (const w of [window(22, 40), window(30, 31)]) {
      const f = { ...w, text: "retry" } as LogFilter;
      expect(gotCounts(d, f, 60_000)).toEqual(indexCounts(d, f, 60_000));
    }
    // Retention deletes up to minute 30.5: minute 30 keeps half its lines, its counts all.
    enforceLogRetention(d, { rawMaxAgeMs: 60_000, diskBudgetBytes: 0 }, T0 + 31.5 * MINUTE_MS);
    for (const w of [window(30, 40), window(31, 40)]) {
      const f = { ...w, text: "retry" } as LogFilter;
      expect(gotCounts(d, f, 60_000)).toEqual(indexCounts(d, f, 60_000));
      expect(gotCounts(d, f, 60_000).length).toBeGreaterThan(0);
    }
  });
});
