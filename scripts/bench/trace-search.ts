/**
 * Trace search and trace detail at 1M and 10M stored spans. The store is filled through the
 * real append path (span-corpus.ts: one block per 512-span chunk, every trace id new, trace
 * starts spread over 24 h); queries run through server/query on a read connection, as the
 * query thread runs them. Reports p50/p95 per filter over the 1 h and 24 h windows ending at
 * the data's newest trace, trace detail for random stored traces, and bytes on disk per span.
 * TRACE_BENCH_SPANS=1000000,10000000 sets the sizes. TRACE_BENCH_DIR keeps the filled store
 * in that directory and reuses it on the next run (a size it already holds is only measured),
 * so a change to the read path is measured at 10M without filling again.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  openWriterDb,
  openReaderDb,
  createSqliteReader,
  createAppender,
  countStoredSpans,
  type Db,
} from "../../server/store/sqlite";
import { getTrace, searchTraces, type TraceSearch } from "../../server/query";
import type { Span } from "../../server/normalize";
import { spanChunks, makeRng } from "./span-corpus";

const log = (m: string) => console.error(`bench traceSearch: ${m}`);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const FILTERS: Record<string, Omit<TraceSearch, "limit">> = {
  latest: {},
  service: { service: "svc-7" },
  operation: { operation: "SELECT items" },
  serviceAndOperation: { service: "svc-7", operation: "GET /api/x" },
  minDuration150ms: { minDurationMs: 150 },
  durationRange200to201ms: { minDurationMs: 200, maxDurationMs: 201 },
  statusError: { status: "error" },
  attrCommon: { attr: { key: "db.namespace", value: "db7" } },
  attrRare: { attr: { key: "http.response.status_code", value: "500" } },
  serviceNoMatch: { service: "no-such-service" },
};

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function fill(
  db: Db,
  app: ReturnType<typeof createAppender>,
  spans: number,
  fromMs: number,
  toMs: number,
  seed: number,
): number {
  const tx = db.transaction((list: Span[][]) => {
    for (const l of list) app.appendSpans(l, []);
  });
  let batch: Span[][] = [];
  let n = 0;
  const t0 = performance.now();
  for (const chunk of spanChunks(spans, fromMs, toMs, 512, seed)) {
    batch.push(chunk);
    n += chunk.length;
    if (batch.length === 16) {
      tx(batch);
      batch = [];
      if (n % 1_048_576 < 8192) log(`  +${n} spans (${round((performance.now() - t0) / 1000)} s)`);
    }
  }
  if (batch.length) tx(batch);
  return (performance.now() - t0) / 1000;
}

function usedBytes(db: Db): number {
  db.pragma("wal_checkpoint(TRUNCATE)");
  const page = db.pragma("page_size", { simple: true }) as number;
  return (
    ((db.pragma("page_count", { simple: true }) as number) -
      (db.pragma("freelist_count", { simple: true }) as number)) *
    page
  );
}

async function measure(dir: string, endMs: number) {
  const db = openReaderDb(dir);
  const t = createSqliteReader(db);
  try {
    const out: Record<string, Record<string, { p50Ms: number; p95Ms: number; results: number }>> = {};
    for (const [wName, span] of [
      ["1h", HOUR],
      ["24h", DAY],
    ] as const) {
      const w = { fromMs: endMs - span, toMs: endMs + 1 };
      out[wName] = {};
      for (const [name, f] of Object.entries(FILTERS)) {
        const times: number[] = [];
        let results = 0;
        for (let i = 0; i < 13; i++) {
          const t0 = performance.now();
          results = (await searchTraces(t, w, { ...f, limit: 50 })).length;
          if (i >= 3) times.push(performance.now() - t0);
        }
        out[wName]![name] = { p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), results };
      }
    }
    const ids = (db.prepare("SELECT trace_id FROM traces ORDER BY random() LIMIT 50").pluck().all() as Buffer[]).map(
      (b) => b.toString("hex"),
    );
    const detail: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      const tr = await getTrace(t, id, { limit: 10_000 });
      detail.push(performance.now() - t0);
      if (!tr || tr.spans.length !== 4) throw new Error(`trace ${id} read back wrong`);
    }
    return {
      search: out,
      traceDetail: { p50Ms: round(percentile(detail, 50), 2), p95Ms: round(percentile(detail, 95), 2) },
    };
  } finally {
    t.close();
  }
}

export async function benchTraceSearch() {
  const sizes = (process.env.TRACE_BENCH_SPANS ?? "1000000,10000000").split(",").map(Number);
  const keep = process.env.TRACE_BENCH_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(path.join(os.tmpdir(), "cartograph-trace-bench-"));
  // A kept store is measured against the time it was filled at.
  const endFile = path.join(dir, "bench-end-ms.json");
  const endMs = existsSync(endFile) ? (JSON.parse(readFileSync(endFile, "utf8")) as number) : Date.now();
  writeFileSync(endFile, JSON.stringify(endMs));
  const results: Record<string, unknown> = {};
  try {
    const db = openWriterDb(dir);
    const app = createAppender(db);
    let have = countStoredSpans(db);
    const rand = makeRng(99 + have);
    for (const size of sizes) {
      // Each step adds spans over the same 24 h, so the density grows as a busier fleet's would.
      const add = Math.max(0, size - have);
      log(`filling ${add} spans (to ${size})`);
      const seconds = add > 0 ? fill(db, app, add, endMs - DAY, endMs, Math.floor(rand() * 1e9)) : 0;
      have = countStoredSpans(db);
      const bytes = usedBytes(db);
      log(`stored ${have} spans in ${round(bytes / 1048576)} MiB; measuring`);
      results[`${round(have / 1e6, 1)}M`] = {
        spans: have,
        fillSeconds: round(seconds),
        appendMicrosPerSpan: add > 0 ? round((seconds * 1e6) / add, 2) : null,
        bytesPerSpan: round(bytes / have),
        ...(await measure(dir, endMs)),
      };
      console.error(JSON.stringify(results[`${round(have / 1e6, 1)}M`]));
    }
    db.close();
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchTraceSearch(), null, 2));
}
