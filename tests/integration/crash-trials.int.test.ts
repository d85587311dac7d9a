import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { TraceRequest } from "../../server/decode";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { readTraceSpans } from "../../server/store/sqlite";
import { createRandom } from "../fuzz/hostile-generator";

/**
 * 20 SIGKILL trials at random moments under concurrent load, on one data directory: after
 * each kill every acknowledged span is in the file and `PRAGMA integrity_check` says ok; the
 * next trial starts on the recovered file. The ingest-only process keeps each trial short.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const TRIALS = Number(process.env.CRASH_TRIALS ?? 20);
const SPANS = 100;

function batch(n: number): { body: Uint8Array; traceId: string } {
  const traceId = Buffer.alloc(16, 0);
  traceId.writeUInt32BE(n, 12);
  traceId[0] = 7;
  const now = Date.now() * 1e6;
  const spans = Array.from({ length: SPANS }, (_, i) => {
    const id = Buffer.alloc(8);
    id.writeUInt32BE(i + 1, 4);
    return {
      traceId,
      spanId: id,
      name: `op-${i % 5}`,
      kind: i % 2 ? 2 : 3,
      startTimeUnixNano: now,
      endTimeUnixNano: now + 1e6,
    };
  });
  const msg = TraceRequest.fromObject({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: "crash" } }] }, scopeSpans: [{ spans }] },
    ],
  });
  return { body: TraceRequest.encode(msg).finish(), traceId: traceId.toString("hex") };
}

function startIngest(dataDir: string): Promise<{ port: number; kill: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", "./scripts/runtime/register.mjs", "tests/helpers/ingest-only-server.ts"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        CARTOGRAPH_DATA_DIR: dataDir,
        CARTOGRAPH_FLUSH_INTERVAL_MS: "5",
        CARTOGRAPH_ROLLUP_FLUSH_MS: "200",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ingest process did not start:\n${out}`)), 120_000);
    child.stdout!.on("data", (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (!m) return;
      clearTimeout(timer);
      resolve({
        port: Number(m[1]),
        kill: async () => {
          child.kill("SIGKILL");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`ingest process exited with ${code}:\n${out}`)));
  });
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-crash-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe(`${TRIALS} SIGKILL trials under concurrent load`, () => {
  it("never loses an acknowledged span and never corrupts the store", async () => {
    const rnd = createRandom(Number(process.env.CRASH_SEED ?? 9));
    const acked: string[] = [];
    let n = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const ingest = await startIngest(dataDir);
      let stop = false;
      const client = async () => {
        while (!stop) {
          const b = batch(++n);
          try {
            const res = await fetch(`http://127.0.0.1:${ingest.port}/v1/traces`, {
              method: "POST",
              body: b.body as BodyInit,
              headers: { "content-type": "application/x-protobuf" },
            });
            await res.arrayBuffer();
            if (res.status === 200) acked.push(b.traceId);
          } catch {
            return; // the kill cut this request: it was never acknowledged
          }
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await new Promise((r) => setTimeout(r, 50 + rnd.int(600)));
      await ingest.kill();
      stop = true;
      await Promise.all(clients);
      const db = new Database(path.join(dataDir, "telemetry.db"));
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
        // Read back through the store's own reader: the spans live in compressed blocks.
        const missing = acked.filter((t) => readTraceSpans(db, t).length !== SPANS);
        expect(missing, `trial ${trial}: acknowledged but missing`).toEqual([]);
      } finally {
        db.close();
      }
    }
    expect(acked.length).toBeGreaterThan(TRIALS);
  }, 600_000);
});
