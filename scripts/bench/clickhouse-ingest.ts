/**
 * Ingest on ClickHouse beside SQLite, in one run (part of BENCH_ONLY=clickhouse): the load
 * generator (its own process, 512-span protobuf batches, closed loop) against (a) one SQLite
 * server, (b) one server on a loopback ClickHouse, (c) two servers on that ClickHouse with one
 * generator each. Accepted spans/s and CPU per stored span (the Cartograph processes; ClickHouse's
 * own CPU apart), stored counted in the store afterwards.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { startClickHouse } from "../../tests/helpers/clickhouse";
import { startServer, type RunningServer } from "../../tests/helpers/start-server";
import { openClickHouseStore } from "../../server/store";
import { countStoredSpans, openReaderDb } from "../../server/store/sqlite";
import { cpuSeconds } from "./proc-stats";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SPB = 512;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

const generate = (url: string, ms: number, concurrency: number): Promise<{ accepted: number; shed: number }> =>
  new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "./scripts/runtime/register.mjs",
        "scripts/bench/load-generator.ts",
        `${url}/v1/traces`,
        String(ms),
        String(concurrency),
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop()!))
        : reject(new Error(`load generator exited ${code}`)),
    );
  });

async function measure(servers: RunningServer[], extraPids: number[], ms: number, stored: () => Promise<number>) {
  await Promise.all(servers.map((s) => generate(s.otlpHttpUrl, 3000, 2))); // warm-up
  const before = await stored();
  const pids = servers.map((s) => s.process.pid!);
  const c0 = pids.map(cpuSeconds);
  const x0 = extraPids.map(cpuSeconds);
  const t0 = Date.now();
  const runs = await Promise.all(servers.map((s) => generate(s.otlpHttpUrl, ms, 4)));
  const elapsed = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const cpu = pids.reduce((a, p, i) => a + cpuSeconds(p) - c0[i]!, 0);
  const extra = extraPids.reduce((a, p, i) => a + cpuSeconds(p) - x0[i]!, 0);
  const n = (await stored()) - before;
  const accepted = runs.reduce((a, r) => a + r.accepted, 0) * SPB;
  return {
    acceptedSpansPerSecond: Math.round(accepted / elapsed),
    storedSpans: n,
    acknowledgedSpans: accepted,
    shedRequests: runs.reduce((a, r) => a + r.shed, 0),
    cpuMicrosPerStoredSpan: round((cpu * 1e6) / Math.max(1, n), 2),
    ...(extraPids.length ? { clickhouseCpuMicrosPerStoredSpan: round((extra * 1e6) / Math.max(1, n), 2) } : {}),
  };
}

export async function benchClickHouseIngest(seconds = Number(process.env.BENCH_SECONDS ?? 20)) {
  const ms = seconds * 1000;
  const env = { CARTOGRAPH_LOG_LEVEL: "warn", CARTOGRAPH_ROLLUP_FLUSH_MS: "2000" };
  const sqlite = await startServer({ env });
  const sqliteCount = async () => {
    const db = openReaderDb(sqlite.dataDir);
    try {
      return countStoredSpans(db);
    } finally {
      db.close();
    }
  };
  let sqliteResult;
  try {
    sqliteResult = await measure([sqlite], [], ms, sqliteCount);
  } finally {
    await sqlite.stop();
  }
  const ch = await startClickHouse();
  const chEnv = (db: string) => ({
    ...env,
    CARTOGRAPH_STORE: "clickhouse",
    CARTOGRAPH_CLICKHOUSE_URL: ch.nodes[0]!.url,
    CARTOGRAPH_CLICKHOUSE_DATABASE: db,
  });
  try {
    const count = (db: string) => async () => {
      const s = openClickHouseStore({
        urls: [ch.nodes[0]!.url],
        database: db,
        user: "default",
        password: "",
        cluster: null,
      });
      try {
        return await s.countStoredSpans();
      } finally {
        await s.close();
      }
    };
    const one = await startServer({ env: chEnv("cg_one") });
    let oneResult;
    try {
      oneResult = await measure([one], [ch.nodes[0]!.process.pid!], ms, count("cg_one"));
    } finally {
      await one.stop();
    }
    const two = await Promise.all([startServer({ env: chEnv("cg_two") }), startServer({ env: chEnv("cg_two") })]);
    let twoResult;
    try {
      twoResult = await measure(two, [ch.nodes[0]!.process.pid!], ms, count("cg_two"));
    } finally {
      await Promise.all(two.map((s) => s.stop()));
    }
    return { seconds, sqlite: sqliteResult, clickhouse1: oneResult, clickhouse2: twoResult };
  } finally {
    await ch.stop();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  console.log(JSON.stringify(await benchClickHouseIngest(), null, 2));
