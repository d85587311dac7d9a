/**
 * ClickHouse store benchmark (BENCH_ONLY=clickhouse): a loopback ClickHouse (Debian's 18.16 here)
 * filled with the span corpus (span-corpus.ts: 4-span traces across 20 services and their
 * databases) spread over the last 24 h through the store's real append path (512-span batches,
 * as one OTLP request makes, with the RED rollups an instance writes), then the leader's
 * pairing passes over the whole day, then the service-map query for 1 h and 24 h windows
 * (p50/p95 over 20 runs after 3 warm-ups), beside a trivial query timed on the same
 * connection in the same run. BENCH_CH_SPANS sets the span count (default 2,000,000).
 * Progress goes to stderr; `benchClickHouse()` returns a JSON-able object.
 */
import { startClickHouse } from "../../tests/helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore } from "../../server/store";
import { createRedAggregator } from "../../server/aggregate/red";
import { runDuePairingPasses } from "../../server/aggregate/servicegraph";
import { getServiceMap } from "../../server/query";
import { spanChunks } from "./span-corpus";
import { cpuSeconds } from "./proc-stats";

const log = (msg: string) => console.error(`bench clickhouse: ${msg}`);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const HOUR = 3_600_000;
/** Pairing pass width: 10 min windows (the server runs 10 s passes in real time; a day of them one after the other is what a catch-up costs). */
const PASS_MS = 600_000;

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50Ms: round(at(0.5)), p95Ms: round(at(0.95)) };
}

async function time(runs: number, warm: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warm; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * The service map for 1 h and 24 h windows: `cold` with an empty block cache every run (a new
 * reader object: what the first load of a window costs on any instance), `warm` on one reader
 * (auto-refresh: complete blocks come from the query stage's cache).
 */
/** p50/p95 of the store's cheapest query (a count): the floor the machine's load sets for any query. */
export async function timeTrivialQuery(store: ClickHouseStore) {
  return percentiles(await time(20, 3, () => store.countStoredSpans()));
}

export async function timeServiceMap(store: ClickHouseStore, nowMs: number, runs = 20) {
  const out: Record<string, unknown> = {};
  for (const [name, fromMs] of [
    ["1h", nowMs - HOUR],
    ["24h", nowMs - 24 * HOUR],
  ] as const) {
    const q = { fromMs, toMs: nowMs, nowMs };
    const m = await getServiceMap({ ...store }, q);
    const cold = percentiles(await time(runs, 1, () => getServiceMap({ ...store }, q)));
    const warmReader = { ...store };
    const warm = percentiles(await time(runs, 2, () => getServiceMap(warmReader, q)));
    // Auto-refresh as a user sees it: one reader, the window 10 s later each run, so its minute
    // edges roll over every sixth run (warm above repeats one window: the same minute edges).
    const refreshReader = { ...store };
    let run = 0;
    const refresh = percentiles(
      await time(runs, 2, () => {
        const back = (runs + 2 - run++) * 10_000;
        return getServiceMap(refreshReader, { fromMs: fromMs - back, toMs: nowMs - back, nowMs: nowMs - back });
      }),
    );
    out[name] = { nodes: m.nodes.length, edges: m.edges.length, cold, warm, refresh };
  }
  return out;
}

export async function benchClickHouse(total = Number(process.env.BENCH_CH_SPANS ?? 2_000_000)) {
  const ch = await startClickHouse();
  const store = openClickHouseStore({
    urls: [ch.nodes[0]!.url],
    database: "cg_bench",
    user: "default",
    password: "",
    cluster: null,
  });
  try {
    await store.migrate();
    const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
    const fromMs = nowMs - 24 * HOUR;
    const chPid = ch.nodes[0]!.process.pid!;
    const c0 = cpuSeconds(process.pid);
    const s0 = cpuSeconds(chPid);
    const t0 = Date.now();
    let stored = 0;
    const red = createRedAggregator();
    for (const chunk of spanChunks(total, fromMs, nowMs - 2 * 60_000, 512, 7)) {
      stored += (await store.appendSpans(chunk)).length;
      red.observe(chunk, Date.now());
      if (stored % 102_400 < 512) {
        await red.flush(store, Date.now());
        log(`${stored} spans stored (${Math.round(stored / ((Date.now() - t0) / 1000))}/s)`);
      }
    }
    await red.flush(store, Date.now());
    const fillS = (Date.now() - t0) / 1000;
    const fill = {
      spans: stored,
      seconds: round(fillS),
      spansPerSecond: Math.round(stored / fillS),
      writerCpuMicrosPerSpan: round(((cpuSeconds(process.pid) - c0) * 1e6) / stored, 2),
      clickhouseCpuMicrosPerSpan: round(((cpuSeconds(chPid) - s0) * 1e6) / stored, 2),
    };
    log(`filled: ${JSON.stringify(fill)}`);

    const p0 = Date.now();
    const passes = await runDuePairingPasses(store, {
      stepMs: PASS_MS,
      settleMs: 0,
      nowMs,
      startMs: fromMs,
      maxPasses: (24 * HOUR) / PASS_MS + 2,
    });
    const pairing = {
      passes,
      seconds: round((Date.now() - p0) / 1000),
      spansPerSecond: Math.round(stored / ((Date.now() - p0) / 1000)),
    };
    log(`pairing: ${JSON.stringify(pairing)}`);

    const trivial = await timeTrivialQuery(store);
    const c0h = Date.now();
    const compacted = await store.compactGraphHours(PASS_MS, nowMs);
    const merged = await store.compactGraphMinutes(PASS_MS, nowMs);
    const compaction = {
      hours: compacted.length,
      mergedMinutes: merged.length,
      seconds: round((Date.now() - c0h) / 1000),
    };
    log(`compaction: ${JSON.stringify(compaction)}`);
    const serviceMap = await timeServiceMap(store, nowMs);
    log(`map: ${JSON.stringify(serviceMap)}`);
    return {
      storedSpans: await store.countStoredSpans(),
      usedBytes: await store.retention.measureUsedBytes(),
      fill,
      pairing,
      compaction,
      trivialQuery: trivial,
      serviceMap,
    };
  } finally {
    await store.close();
    await ch.stop();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  console.log(JSON.stringify(await benchClickHouse(), null, 2));
