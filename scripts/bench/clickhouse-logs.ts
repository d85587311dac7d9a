/**
 * Log search on the ClickHouse store: the logs-search bench's lines (LOGS_BENCH_LINES, default
 * 10M over 24 h, benchLogBatches) go through the ClickHouse store's append path into a local
 * ClickHouse server (Debian's 18.16 here, started on free ports in a temp folder), then the same
 * queries over the same 1 h window: `searchLogs` (newest 100) and `countLogs` (1 min steps from
 * a multiple of the step, as the API asks). p50/p95 over up to 10 runs after one warm-up.
 * Progress on stderr; run this file to print.
 */
import path from "node:path";
import { startClickHouse } from "../../tests/helpers/clickhouse";
import { openClickHouseStore, type LogFilter } from "../../server/store";
import { benchLogBatches, benchLogQueries } from "./logs-search";

const log = (msg: string) => console.error(`bench clickhouseLogs: ${msg}`);
const HOUR_NS = 3_600_000_000_000n;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function time(fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  const start = performance.now();
  while (xs.length < 10 && (xs.length < 3 || performance.now() - start < 10_000)) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return { runs: xs.length, p50Ms: +quantile(xs, 0.5).toFixed(1), p95Ms: +quantile(xs, 0.95).toFixed(1) };
}

export async function benchClickHouseLogs(total = Number(process.env.LOGS_BENCH_LINES ?? 10_000_000)) {
  const ch = await startClickHouse();
  try {
    const store = openClickHouseStore({
      urls: [ch.nodes[0]!.url],
      database: "cg_logs_bench",
      user: "default",
      password: "",
      cluster: null,
    });
    await store.migrate();
    const nowMs = Date.now();
    const nowNs = BigInt(nowMs) * 1_000_000n;
    const startNs = nowNs - 24n * HOUR_NS;
    const t0 = performance.now();
    let stored = 0;
    for (const batch of benchLogBatches(total, startNs, 10_000)) {
      stored += (await store.ingest.append([{ spans: [], points: [], logs: batch }], nowMs)).logsStored;
      if (stored % 1_000_000 === 0) log(`${stored / 1e6}M lines, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
    const appendSeconds = (performance.now() - t0) / 1000;
    const hourTo = nowNs - 2n * HOUR_NS;
    const w = { fromNs: hourTo - HOUR_NS, toNs: hourTo };
    const stepNs = 60_000_000_000n;
    const searches: Record<string, unknown> = {};
    for (const [name, q] of Object.entries(benchLogQueries(w.fromNs, startNs, total))) {
      const f = { ...w, ...q } as LogFilter;
      const hf = { ...f, fromNs: (f.fromNs / stepNs) * stepNs };
      const r = {
        found: (await store.logs.searchLogs(f, 100)).logs.length,
        list: await time(() => store.logs.searchLogs(f, 100)),
        histogram: await time(() => store.logs.countLogs(hf, 60_000)),
      };
      searches[name] = r;
      log(`1h ${name}: ${JSON.stringify(r)}`);
    }
    await store.close();
    return { lines: total, stored, appendSeconds: +appendSeconds.toFixed(1), window: "1 h", searches };
  } finally {
    await ch.stop();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  console.log(JSON.stringify(await benchClickHouseLogs(), null, 2));
}
