/**
 * `npm run bench`: every benchmark of the project in one run, reported as ratios against
 * baselines measured in the same run (these machines are noisy). Writes .bench/results.json.
 * BENCH_ONLY=ingest,traceSearch,serviceMap,... runs a subset; BENCH_SECONDS sets the ingest phase length.
 */
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { benchIngest } from "./ingest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const only = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const want = (name: string) => only.length === 0 || only.includes(name);
const results: Record<string, unknown> = {
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    node: process.version,
    date: new Date().toISOString(),
  },
};

async function optional(name: string, file: string, exportName: string, key = name): Promise<void> {
  if (!want(name)) return;
  const full = path.join(ROOT, "scripts/bench", file);
  if (!existsSync(full)) return;
  const mod = await import(full);
  console.log(`bench: ${key}...`);
  results[key] = await mod[exportName]();
  console.log(JSON.stringify(results[key], null, 2));
}

if (want("ingest")) {
  console.log("bench: ingest (floor receiver vs Cartograph vs Cartograph at 2x)...");
  results.ingest = await benchIngest(Number(process.env.BENCH_SECONDS ?? 20));
  console.log(JSON.stringify(results.ingest, null, 2));
}
await optional("traceSearch", "trace-search.ts", "benchTraceSearch");
await optional("serviceMap", "service-map.ts", "benchServiceMap");
await optional("coupling", "coupling.ts", "benchCoupling");
await optional("alerting", "alerting.ts", "benchAlerting");
await optional("uiMap", "ui-map.ts", "benchMapRender");
await optional("selfTracing", "self-tracing.ts", "benchSelfTracing");
await optional("logsIngest", "logs-ingest.ts", "benchLogsIngest");
await optional("logsSearch", "logs-search.ts", "benchLogsSearch");
await optional("clickhouse", "clickhouse-ingest.ts", "benchClickHouseIngest", "clickhouseIngest");
await optional("highCardinality", "high-cardinality.ts", "benchHighCardinality");
await optional("clickhouse", "clickhouse.ts", "benchClickHouse", "clickhouseServiceMap");
await optional("clickhouseMap", "clickhouse-map.ts", "benchClickHouseMap");
await optional("clickhouseArrivals", "clickhouse-arrivals.ts", "benchClickHouseArrivals");
await optional("clickhouseLogs", "clickhouse-logs.ts", "benchClickHouseLogs");

mkdirSync(path.join(ROOT, ".bench"), { recursive: true });
writeFileSync(path.join(ROOT, ".bench/results.json"), JSON.stringify(results, null, 2));
console.log("bench: results in .bench/results.json");
