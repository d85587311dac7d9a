import { describe, expect, it } from "vitest";
import type { LogRecord } from "../../normalize";
import type { LogFilter } from "../telemetry-store";
import { type Db } from "./open";
import { useTempWriterDbs } from "./temp-writer-db.test-support";
import { createLogAppender, hashText } from "./logs-append";
import { countLogs, countLogsByService, searchLogs, type LogCursor } from "./logs-read";
import { severityRange } from "./logs-schema";
import { ensureLogMeta, overshootMs, wantedLogId, writeOvershoot } from "./logs-ids";
import { expandPrefix } from "./logs-prefix";
import { enforceLogRetention } from "./logs-retention";

/**
 * The second text index (body + service/severity tags, logs-text-index.ts), prefix expansion
 * (logs-prefix.ts) and histograms counted from row ids (logs-count.ts) against a plain
 * reading of the same lines: every search and every count must equal it exactly.
 */
const T0 = Date.parse("2026-11-25T10:00:00Z");
const MS = 1_000_000n;
const WORDS = ["retry", "timeout", "checkout", "checked", "check", "chess", "cache", "payment", "Zürich"];
const SERVICES = ["api", "billing", "cart", "db-proxy", "edge"];
const SEVERITIES = [0, 1, 5, 9, 9, 9, 12, 13, 14, 17, 20, 21, 24];

const open = useTempWriterDbs("log-text");

interface Line extends LogRecord {
  n: number;
}

/** Lines over 20 minutes, a few late, and a burst of 3,000 at one instant (ids overshoot). */
function makeLines(count: number, startMs = T0): Line[] {
  let seed = 11;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const lines: Line[] = [];
  for (let n = 0; n < count; n++) {
    const burst = n >= count - 3000;
    const ms = burst ? startMs + 600_000 : startMs + Math.floor((n * 1_200_000) / count) - (n % 50 === 3 ? 90_000 : 0);
    const extra = n % 97 === 0 ? ` zeta${n % 70}` : "";
    lines.push({
      n,
      timeNs: BigInt(ms) * MS + BigInt(burst ? 0 : Math.floor(rand() * 1e6)),
      observedNs: BigInt(ms) * MS,
      severityNumber: pick(SEVERITIES),
      severityText: "",
      body: `${pick(WORDS)} ${pick(WORDS)} #${n}${extra}`,
      attributes: {},
      traceId: null,
      spanId: null,
      flags: 0,
      scope: { name: "", version: "" },
      resource: { service: pick(SERVICES), namespace: null, environment: null, attributes: {} },
    });
  }
  return lines;
}

const tokensOf = (body: string) =>
  body
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/** A plain reading of the filter over the lines (words and prefixes only). */
function matches(l: Line, f: LogFilter): boolean {
  if (l.timeNs < f.fromNs || l.timeNs >= f.toNs) return false;
  if (f.service && l.resource.service !== f.service) return false;
  if (f.minSeverity && l.severityNumber < f.minSeverity) return false;
  if (f.text === undefined) return true;
  const tokens = tokensOf(String(l.body));
  return f.text.split(" ").every((w) => {
    const t = tokensOf(w.replace(/\*$/, ""))[0]!;
    return w.endsWith("*") ? tokens.some((x) => x.startsWith(t)) : tokens.includes(t);
  });
}

function allPages(d: Db, f: LogFilter, pageSize: number): string[] {
  const out: string[] = [];
  let after: LogCursor | undefined;
  for (;;) {
    const page = searchLogs(d, f, pageSize, after);
    out.push(...page.map((l) => String(l.body)));
    if (page.length < pageSize) return out;
    const last = page[page.length - 1]!;
    after = { timeNs: last.timeNs, id: last.id };
  }
}

/** Newest first; lines of one instant in reverse order of storing (`stored`: its rank). */
function wantedPages(lines: Line[], f: LogFilter, stored = (l: Line) => l.n): string[] {
  return lines
    .filter((l) => matches(l, f))
    .sort((a, b) => (a.timeNs === b.timeNs ? stored(b) - stored(a) : a.timeNs > b.timeNs ? -1 : 1))
    .map((l) => String(l.body));
}

function wantedCounts(lines: Line[], f: LogFilter, stepMs: number): string[] {
  const counts = new Map<string, number>();
  const stepNs = BigInt(stepMs) * MS;
  const originMs = Number(f.fromNs / MS);
  for (const l of lines.filter((x) => matches(x, f))) {
    const key = `${originMs + Number((l.timeNs - f.fromNs) / stepNs) * stepMs}/${severityRange(l.severityNumber)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k}=${n}`).sort();
}

function wantedByService(lines: Line[], f: LogFilter): string[] {
  const counts = new Map<string, number>();
  for (const l of lines.filter((x) => matches(x, f)))
    counts.set(l.resource.service, (counts.get(l.resource.service) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s}=${n}`).sort();
}

const gotByService = (d: Db, f: LogFilter) =>
  countLogsByService(d, f)
    .filter((r) => r.count > 0)
    .map((r) => `${r.service}=${r.count}`)
    .sort();

const gotCounts = (d: Db, f: LogFilter, stepMs: number) =>
  countLogs(d, f, stepMs)
    .map((r) => `${r.t}/${r.severityRange}=${r.count}`)
    .sort();

const FILTERS: Partial<LogFilter>[] = [
  { text: "retry" },
  { text: "timeout payment" },
  { text: "check*" },
  { text: "CHE*" },
  { text: "zeta*" },
  { text: "zurich" },
  { text: "nothing*" },
  { text: "retry", service: "cart" },
  { text: "retry", minSeverity: 13 },
  { text: "check*", service: "billing", minSeverity: 14 },
  { text: "cache", minSeverity: 24 },
  {},
  { service: "edge" },
  { minSeverity: 17 },
  { minSeverity: 10, service: "api" },
];

describe("log text index with tags, prefixes and id-counted histograms", () => {
  it("answers every search and histogram exactly as the lines read plainly", () => {
    const d = open();
    const lines = makeLines(7_000);
    const append = createLogAppender(d);
    d.transaction(() => append.appendLogs(lines))();
    // Windows: whole, unaligned inside, around the burst (ids above their millisecond).
    const windows = [
      { fromNs: BigInt(T0 - 120_000) * MS, toNs: BigInt(T0 + 1_300_000) * MS },
      { fromNs: BigInt(T0 + 123_457) * MS + 17n, toNs: BigInt(T0 + 600_001) * MS + 3n },
      { fromNs: BigInt(T0 + 599_990) * MS, toNs: BigInt(T0 + 600_010) * MS },
      // From on a millisecond, to inside one: steps counted by id ranges, the end by rows.
      { fromNs: BigInt(T0 + 123_457) * MS, toNs: BigInt(T0 + 600_001) * MS + 3n },
    ];
    for (const w of windows) {
      for (const q of FILTERS) {
        const f = { ...w, ...q } as LogFilter;
        const label = JSON.stringify({ ...q, fromMs: Number(w.fromNs / MS) });
        if (q.text !== undefined) expect(allPages(d, f, 250), label).toEqual(wantedPages(lines, f));
        expect(gotByService(d, f), `${label} by service`).toEqual(wantedByService(lines, f));
        for (const step of [60_000, 1000, 7]) {
          if (step === 7 && w !== windows[2]) continue;
          if (step === 1000 && w === windows[3]) continue;
          expect(gotCounts(d, f, step), `${label} step ${step}`).toEqual(wantedCounts(lines, f, step));
        }
      }
    }
  });

  it("expands a prefix to the index's own terms, and leaves a prefix with too many terms to FTS5", () => {
    const d = open();
    const append = createLogAppender(d);
    d.transaction(() => append.appendLogs(makeLines(7_000)))();
    expect(expandPrefix(d, "che")).toEqual(["check", "checked", "checkout", "chess"]);
    expect(expandPrefix(d, "check")).toEqual(["check", "checked", "checkout"]);
    expect(expandPrefix(d, "zzz")).toEqual([]);
    expect(expandPrefix(d, "zeta")).toBeNull();
    expect(expandPrefix(d, "zeta", 100)).toHaveLength(70);
  });

  it("keeps reading a database indexed in the first shape, beside lines added after, until retention empties it", () => {
    const d = open();
    const lines = makeLines(6_000);
    const before = lines.filter((l) => l.n % 2 === 0);
    const after = lines.filter((l) => l.n % 2 === 1);
    // The first shape: time-ordered ids, body-only text index (logs_fts), minute counts.
    const insertRow = d.prepare(`INSERT INTO logs
      (id, time_ns, fingerprint, observed_ns, service, severity, severity_text, body, body_json, trace_id, span_id, flags, resource_id, scope, attributes)
      VALUES (?, ?, ?, ?, ?, ?, '', ?, 0, NULL, NULL, 0, 0, NULL, '{}')`);
    const insertText = d.prepare(`INSERT INTO logs_fts (rowid, body) VALUES (?, ?)`);
    const addMinute = d.prepare(`INSERT INTO log_minute (service, minute, severity_range, count) VALUES (?, ?, ?, 1)
      ON CONFLICT (service, minute, severity_range) DO UPDATE SET count = count + 1`);
    ensureLogMeta(d);
    d.transaction(() => {
      let last = 0;
      for (const l of before) {
        const id = Math.max(wantedLogId(l.timeNs), last + 1);
        last = id;
        writeOvershoot(d, overshootMs(id, l.timeNs));
        insertRow.run(
          id,
          l.timeNs,
          hashText(String(l.body)),
          l.observedNs,
          l.resource.service,
          l.severityNumber,
          l.body,
        );
        insertText.run(id, l.body);
        addMinute.run(l.resource.service, Number(l.timeNs / 60_000_000_000n), severityRange(l.severityNumber));
      }
    })();
    const append = createLogAppender(d);
    d.transaction(() => append.appendLogs(after))();
    const w = { fromNs: BigInt(T0 - 120_000) * MS, toNs: BigInt(T0 + 1_300_000) * MS };
    for (const q of FILTERS) {
      const f = { ...w, ...q } as LogFilter;
      const stored = (l: Line) => (l.n % 2 === 0 ? l.n : lines.length + l.n);
      if (q.text !== undefined) expect(allPages(d, f, 300), JSON.stringify(q)).toEqual(wantedPages(lines, f, stored));
      expect(gotCounts(d, f, 60_000), JSON.stringify(q)).toEqual(wantedCounts(lines, f, 60_000));
    }
    const tables = () =>
      d.prepare(`SELECT name FROM sqlite_master WHERE name IN ('logs_fts', 'logs_text') ORDER BY name`).pluck().all();
    expect(tables()).toEqual(["logs_fts", "logs_text"]);
    enforceLogRetention(d, { rawMaxAgeMs: 60_000, diskBudgetBytes: 0 }, T0 + 400_000);
    expect(tables()).toEqual(["logs_fts", "logs_text"]);
    const f = { ...w, text: "retry" };
    expect(allPages(d, f, 300)).toEqual(
      wantedPages(lines, f, (l) => (l.n % 2 === 0 ? l.n : lines.length + l.n)).filter(
        (b) => lines.find((l) => l.body === b)!.timeNs >= BigInt(T0 + 340_000) * MS,
      ),
    );
    enforceLogRetention(d, { rawMaxAgeMs: 60_000, diskBudgetBytes: 0 }, T0 + 2_000_000);
    expect(tables()).toEqual(["logs_text"]);
  });
});
