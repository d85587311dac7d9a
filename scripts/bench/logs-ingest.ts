/**
 * Ingest CPU per log record beside the span path, in one run on one server: the load
 * generator sends 512-span OTLP/protobuf batches for `seconds`, then this process sends
 * 512-record OTLP/protobuf log batches for `seconds` (4 connections each, closed loop, keep-
 * alive). Server CPU (all threads, from /proc) per stored item in each phase, and their ratio.
 * Log records carry what a request logger writes: a ~90-character body, severity, 5
 * attributes, trace and span ids.
 */
import http from "node:http";
import { spawn } from "node:child_process";
import { LogsRequest } from "../../server/decode";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer } from "../../tests/helpers/start-server";
import { cpuSeconds } from "./proc-stats";
import { postProtobuf } from "./post-protobuf";

const ROOT = path.resolve(import.meta.dirname, "../..");
const kv = (key: string, v: string | number) => ({
  key,
  value: typeof v === "number" ? { intValue: v } : { stringValue: v },
});
const WORDS = "order payment user cache retry timeout checkout cart stock invoice".split(" ");

/** A batch of `n` records for 20 services; `seq` makes every send unique (the store dedupes replays). */
function logBatch(seq: number, n = 512): Buffer {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const byService = new Map<number, unknown[]>();
  for (let i = 0; i < n; i++) {
    const svc = i % 20;
    const id = Buffer.alloc(16);
    id.writeUInt32BE(seq, 0);
    id.writeUInt32BE(i + 1, 12);
    const list = byService.get(svc) ?? [];
    list.push({
      timeUnixNano: (nowNs + BigInt(i)).toString(),
      observedTimeUnixNano: (nowNs + BigInt(i)).toString(),
      severityNumber: i % 17 === 0 ? 17 : 9,
      severityText: i % 17 === 0 ? "ERROR" : "INFO",
      body: {
        stringValue: `${WORDS[i % 10]} ${WORDS[(i * 3) % 10]} request ${seq}-${i} handled for user u${i % 500} in ${i % 300} ms`,
      },
      attributes: [
        kv("http.route", `/api/${WORDS[i % 10]}`),
        kv("http.response.status_code", 200),
        kv("user.id", `u${i % 500}`),
        kv("code.function", "handle"),
        kv("thread.id", i % 8),
      ],
      traceId: id,
      spanId: id.subarray(8),
    });
    byService.set(svc, list);
  }
  return Buffer.from(
    LogsRequest.encode(
      LogsRequest.fromObject({
        resourceLogs: [...byService].map(([svc, logRecords]) => ({
          resource: {
            attributes: [
              kv("service.name", `svc-${svc}`),
              kv("service.namespace", "bench"),
              kv("host.name", `host-${svc % 4}`),
            ],
          },
          scopeLogs: [{ scope: { name: "app" }, logRecords }],
        })),
      }),
    ).finish(),
  );
}

async function sendLogs(url: string, seconds: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const end = Date.now() + seconds * 1000;
  let seq = Math.floor(Math.random() * 1e6) * 1000;
  let accepted = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const body = logBatch(seq++);
      if ((await postProtobuf(target, agent, body)) === 200) accepted++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return accepted;
}

const runSpans = (url: string, ms: number, concurrency: number): Promise<{ accepted: number }> =>
  new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      [
        "--import",
        "./scripts/runtime/register.mjs",
        "scripts/bench/load-generator.ts",
        url,
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

export async function benchLogsIngest(seconds = Number(process.env.BENCH_SECONDS ?? 10), concurrency = 4) {
  const server = await startServer({ env: { CARTOGRAPH_LOG_LEVEL: "warn" } });
  const pid = server.process.pid!;
  // Stored spans live in blocks (their span counts); log lines one per row.
  const count = (what: "spans" | "logs") => {
    const db = new Database(path.join(server.dataDir, "telemetry.db"), { readonly: true });
    const sql = what === "spans" ? `SELECT coalesce(sum(spans), 0) FROM span_blocks` : `SELECT count(*) FROM logs`;
    try {
      return db.prepare(sql).pluck().get() as number;
    } finally {
      db.close();
    }
  };
  try {
    await runSpans(`${server.otlpHttpUrl}/v1/traces`, 2000, concurrency); // warm-up
    await sendLogs(`${server.otlpHttpUrl}/v1/logs`, 2, concurrency);
    const s0 = count("spans"),
      c0 = cpuSeconds(pid);
    await runSpans(`${server.otlpHttpUrl}/v1/traces`, seconds * 1000, concurrency);
    await new Promise((r) => setTimeout(r, 500));
    const c1 = cpuSeconds(pid),
      spans = count("spans") - s0;
    const l0 = count("logs");
    const c2 = cpuSeconds(pid);
    const acceptedBatches = await sendLogs(`${server.otlpHttpUrl}/v1/logs`, seconds, concurrency);
    await new Promise((r) => setTimeout(r, 500));
    const c3 = cpuSeconds(pid),
      logs = count("logs") - l0;
    const spanUs = ((c1 - c0) * 1e6) / Math.max(1, spans);
    const logUs = ((c3 - c2) * 1e6) / Math.max(1, logs);
    return {
      seconds,
      spans: { stored: spans, perSecond: Math.round(spans / seconds), cpuMicrosPerItem: +spanUs.toFixed(1) },
      logs: {
        stored: logs,
        acknowledged: acceptedBatches * 512,
        perSecond: Math.round(logs / seconds),
        cpuMicrosPerItem: +logUs.toFixed(1),
      },
      ratioLogToSpan: +(logUs / spanUs).toFixed(2),
    };
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  console.log(JSON.stringify(await benchLogsIngest(), null, 2));
}
