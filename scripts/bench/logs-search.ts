/**
 * Log text-search benchmark. LOGS_BENCH_LINES (default 10M) log lines over the last 24 h from
 * 40 services go through the store's append path (createLogAppender: row, FTS5 entry with
 * its tags, minute counts) in transactions of 5,000, as the writer thread stores them. Then, on
 * a read connection, `searchLogs` (newest 100) and `countLogsWithin` (the histogram under the
 * API's row budget, its start on a multiple of the step as the API asks) over a 1 h and a 24 h
 * window for text queries of different selectivity, alone and with service / severity /
 * attribute filters: p50/p95 over up to 20 runs after 3 warm-ups, and a trivial query on the
 * same connection as the baseline. Progress on stderr; run this file to print.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LogFilter } from "../../server/store";
import { LOG_HISTOGRAM_ROW_BUDGET } from "../../server/store";
import {
  countLogsWithin,
  createLogAppender,
  openReaderDb,
  openWriterDb,
  searchLogs,
  telemetryDbPath,
} from "../../server/store/sqlite";
import type { LogRecord, ResourceInfo } from "../../server/normalize";

const log = (msg: string) => console.error(`bench logsSearch: ${msg}`);
const DAY_NS = 86_400_000_000_000n;
const WORDS =
  "request handled order payment user session cache miss hit retry timeout connection pool query slow fast upstream downstream checkout cart item price stock warehouse shipping invoice refund token auth login logout".split(
    " ",
  );

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

interface Filled {
  nowNs: string;
  appendSeconds: number;
  total: number;
}

/**
 * The bench's lines, `batch` at a time: `total` lines over the 24 h after `startNs` from 40
 * services, 1 in 100 late (its time up to 10 minutes before its neighbours', as lines from a
 * backlog), every line with 6 common words, 1 in 10,000 with a rare id-like token. The same
 * lines for every store (seeded).
 */
export function* benchLogBatches(total: number, startNs: bigint, batch = 5000): Generator<LogRecord[]> {
  const resources: ResourceInfo[] = Array.from({ length: 40 }, (_, i) => ({
    service: `svc-${i}`,
    namespace: "bench",
    environment: "prod",
    attributes: { "service.name": `svc-${i}`, "host.name": `host-${i % 7}` },
  }));
  const stepNs = DAY_NS / BigInt(total);
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  for (let i = 0; i < total;) {
    const lines: LogRecord[] = [];
    for (let j = 0; j < batch && i < total; j++, i++) {
      const r = rand();
      const severity = r < 0.02 ? 17 : r < 0.1 ? 13 : r < 0.3 ? 5 : 9;
      const rare = i % 10_000 === 0 ? ` txn-${i}` : "";
      const body = `${pick()} ${pick()} ${pick()} ${pick()} ${pick()} ${pick()} in ${Math.floor(rand() * 900)} ms user u${Math.floor(rand() * 5000)}${rare}`;
      lines.push({
        timeNs: startNs + BigInt(i) * stepNs - (i % 100 === 7 ? BigInt(Math.floor(rand() * 600_000)) * 1_000_000n : 0n),
        observedNs: startNs + BigInt(i) * stepNs,
        severityNumber: severity,
        severityText: "",
        body,
        attributes: { "http.route": `/api/${pick()}`, "user.id": `u${Math.floor(rand() * 5000)}` },
        traceId: rand() < 0.5 ? null : i.toString(16).padStart(32, "0"),
        spanId: null,
        flags: 0,
        scope: { name: "app", version: "" },
        resource: resources[i % 40]!,
      });
    }
    yield lines;
  }
}

/** Writes the bench's lines over the 24 h before now through the store's appender. */
function fill(dir: string, total: number): { nowNs: bigint; appendSeconds: number } {
  const db = openWriterDb(dir, "OFF");
  const appender = createLogAppender(db);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const write = db.transaction((batch: LogRecord[]) => appender.appendLogs(batch));
  const t0 = performance.now();
  let i = 0;
  for (const batch of benchLogBatches(total, nowNs - DAY_NS)) {
    write(batch);
    i += batch.length;
    if (i % 1_000_000 === 0) log(`${i / 1e6}M lines, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const appendSeconds = (performance.now() - t0) / 1000;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  return { nowNs, appendSeconds };
}

/** The bench's queries (text, service, severity, attribute) for a window starting at `startNs`. */
export function benchLogQueries(w1FromNs: bigint, startNs: bigint, total: number): Record<string, Partial<LogFilter>> {
  const stepNs = DAY_NS / BigInt(total);
  const rareId = `txn-${Math.floor((Number(w1FromNs - startNs) / Number(stepNs) + 10_000) / 10_000) * 10_000}`;
  return {
    "rare token (1 line in 10k)": { text: rareId },
    "common word (~18% of lines)": { text: "timeout" },
    "two common words": { text: "payment timeout" },
    phrase: { text: '"payment timeout"' },
    prefix: { text: "check*" },
    "common word + service": { text: "retry", service: "svc-3" },
    "common word + minSeverity warn": { text: "retry", minSeverity: 13 },
    "common word + service + minSeverity warn": { text: "retry", service: "svc-3", minSeverity: 13 },
    "phrase + service + minSeverity warn": { text: '"payment timeout"', service: "svc-3", minSeverity: 13 },
    "prefix + service + minSeverity warn": { text: "check*", service: "svc-3", minSeverity: 13 },
    "word + attribute": { text: "cache", attributes: [{ key: "http.route", value: "/api/order" }] },
    "no text, minSeverity error": { minSeverity: 17 },
    "no text, service + minSeverity warn": { service: "svc-3", minSeverity: 13 },
  };
}

export async function benchLogsSearch(total = Number(process.env.LOGS_BENCH_LINES ?? 10_000_000)) {
  // LOGS_BENCH_KEEP_DIR: fill that directory once and keep it; later runs only search it.
  const keep = process.env.LOGS_BENCH_KEEP_DIR;
  const dir = keep ?? mkdtempSync(path.join(process.env.LOGS_BENCH_DIR ?? os.tmpdir(), "cartograph-logs-bench-"));
  mkdirSync(dir, { recursive: true });
  const metaFile = path.join(dir, "bench.json");
  try {
    const filled = keep && existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, "utf8")) as Filled) : null;
    const { nowNs, appendSeconds } = filled
      ? { nowNs: BigInt(filled.nowNs), appendSeconds: filled.appendSeconds }
      : fill(dir, total);
    if (keep && !filled) writeFileSync(metaFile, JSON.stringify({ nowNs: String(nowNs), appendSeconds, total }));
    if (filled) total = filled.total;
    // LOGS_BENCH_FILL_ONLY=1 (with LOGS_BENCH_KEEP_DIR): fill and stop; a later run searches.
    if (process.env.LOGS_BENCH_FILL_ONLY === "1") return { lines: total, appendSeconds: +appendSeconds.toFixed(1) };
    const startNs = nowNs - DAY_NS;
    const bytes = statSync(telemetryDbPath(dir)).size;
    log(`appended ${total} in ${appendSeconds.toFixed(0)} s; ${(bytes / 2 ** 30).toFixed(2)} GiB`);

    const readerDb = openReaderDb(dir);
    const hourTo = nowNs - 2n * 3_600_000_000_000n;
    const windows = {
      "1h": { fromNs: hourTo - 3_600_000_000_000n, toNs: hourTo },
      "24h": { fromNs: startNs, toNs: nowNs + 1n },
    };
    // Up to 20 runs after 3 warm-ups, fewer (at least 5) when they take over 10 s together;
    // a query over 1 s: one warm-up and 3 runs (p95 is then the slowest).
    const time = (fn: () => unknown) => {
      const first = performance.now();
      fn();
      const slow = performance.now() - first > 1000;
      for (let i = 0; i < (slow ? 0 : 2); i++) fn();
      const xs: number[] = [];
      const start = performance.now();
      while (xs.length < (slow ? 3 : 20) && (xs.length < (slow ? 3 : 5) || performance.now() - start < 10_000)) {
        const t = performance.now();
        fn();
        xs.push(performance.now() - t);
      }
      return { runs: xs.length, p50Ms: +quantile(xs, 0.5).toFixed(1), p95Ms: +quantile(xs, 0.95).toFixed(1) };
    };
    const baseline = time(() => readerDb.prepare("SELECT id FROM logs ORDER BY id DESC LIMIT 1").get());
    const queries = benchLogQueries(windows["1h"].fromNs, startNs, total);
    const searches: Record<string, Record<string, unknown>> = {};
    // LOGS_BENCH_WINDOWS=1h: that window only.
    const only = process.env.LOGS_BENCH_WINDOWS?.split(",");
    for (const [windowName, window] of Object.entries(windows).filter(([n]) => !only || only.includes(n))) {
      for (const [name, q] of Object.entries(queries)) {
        const f = { ...window, ...q } as LogFilter;
        const found = searchLogs(readerDb, f, 100).length;
        // The histogram as GET /api/v1/logs/histogram asks the store: steps from a multiple of the step.
        const stepMs = windowName === "1h" ? 60_000 : 3_600_000;
        const stepNs = BigInt(stepMs) * 1_000_000n;
        const hf = { ...f, fromNs: (f.fromNs / stepNs) * stepNs };
        const histogram = () => countLogsWithin(readerDb, hf, stepMs, LOG_HISTOGRAM_ROW_BUDGET);
        const r = {
          found,
          list: time(() => searchLogs(readerDb, f, 100)),
          histogram: { ...time(histogram), approximate: histogram().approximate },
        };
        (searches[windowName] ??= {})[name] = r;
        log(`${windowName} ${name}: ${JSON.stringify(r)}`);
      }
    }
    readerDb.close();
    return {
      lines: total,
      spanOfData: "24 h",
      windows: "1 h (≈ lines/24, ending 2 h before the newest line; histogram step 1 min) and 24 h (all; step 1 h)",
      appendSeconds: +appendSeconds.toFixed(1),
      appendLinesPerSecond: Math.round(total / appendSeconds),
      dbGiB: +(bytes / 2 ** 30).toFixed(2),
      baseline,
      searches,
    };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  console.log(JSON.stringify(await benchLogsSearch(), null, 2));
}
