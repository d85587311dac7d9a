import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { TraceRequest } from "../../server/decode";
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { readTraceSpans } from "../../server/store/sqlite";
import { startServer, type RunningServer } from "../helpers/start-server";

/**
 * A full disk, simulated unprivileged: the server process gets a file-size limit
 * (RLIMIT_FSIZE, set from outside with `prlimit --pid`) a few MiB above what its files hold.
 * The kernel then refuses every write that would grow a file past it, as a full filesystem
 * refuses growth (SQLite sees a short write, SQLITE_FULL, or EFBIG, SQLITE_IOERR_WRITE).
 * Unlike a tmpfs this needs no root and no mount, so it runs the same on every machine and
 * in CI; unlike SQLite's max_page_count it fails the real write path (WAL, checkpoint,
 * shared memory) where a full disk would. Raising the limit again is "space freed".
 *
 * Ingest answers 503 + Retry-After with a clear log line, the API keeps answering, nothing
 * acknowledged is lost, the file passes `integrity_check`, and once space returns ingest
 * works again in the same process.
 */
const SPANS = 200;

let server: RunningServer | null = null;
let dataDir = "";
afterAll(async () => {
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let seq = 0;
function batch(): { body: Uint8Array; traceId: string } {
  const traceId = Buffer.alloc(16, 9);
  traceId.writeUInt32BE(++seq, 12);
  const now = Date.now() * 1e6;
  const spans = Array.from({ length: SPANS }, (_, i) => {
    const id = Buffer.alloc(8, 2);
    id.writeUInt32BE(i + 1, 4);
    // Random padding: compressed span blocks must still grow the file.
    return {
      traceId,
      spanId: id,
      name: "fill",
      kind: 2,
      startTimeUnixNano: now,
      endTimeUnixNano: now + 1e6,
      attributes: [{ key: "pad", value: { stringValue: Math.random().toString(36).repeat(12) + i } }],
    };
  });
  const msg = TraceRequest.fromObject({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: "full" } }] }, scopeSpans: [{ spans }] },
    ],
  });
  return { body: TraceRequest.encode(msg).finish(), traceId: traceId.toString("hex") };
}

function setFileSizeLimit(pid: number, bytes: number | "unlimited"): void {
  // Soft limit only: an unprivileged process may raise it again up to the hard limit.
  execFileSync("prlimit", ["--pid", String(pid), `--fsize=${bytes}:unlimited`]);
}

function largestDataFile(dir: string): number {
  return Math.max(
    ...["telemetry.db", "telemetry.db-wal", "control.db"].map((f) => {
      try {
        return statSync(path.join(dir, f)).size;
      } catch {
        return 0;
      }
    }),
  );
}

describe("disk full", () => {
  it("answers 503 with Retry-After, loses nothing acknowledged and recovers without a restart", async () => {
    server = await startServer({
      keepDataDir: true,
      env: { CARTOGRAPH_RETENTION_INTERVAL_MS: "600000" },
      readyTimeoutMs: 150_000,
    });
    dataDir = server.dataDir;
    const pid = server.process.pid!;
    const post = async (b: { body: Uint8Array }) => {
      const res = await fetch(`${server!.otlpHttpUrl}/v1/traces`, {
        method: "POST",
        body: b.body as BodyInit,
        headers: { "content-type": "application/x-protobuf" },
      });
      await res.arrayBuffer();
      return res;
    };
    const acked: string[] = [];
    // Some data first, then the "disk" has 3 MiB left beyond the largest file.
    for (let i = 0; i < 5; i++) {
      const b = batch();
      expect((await post(b)).status).toBe(200);
      acked.push(b.traceId);
    }
    setFileSizeLimit(pid, largestDataFile(dataDir) + 3 * 1024 * 1024);

    let full: Response | null = null;
    for (let i = 0; i < 400 && !full; i++) {
      const b = batch();
      const res = await post(b);
      if (res.status === 200) acked.push(b.traceId);
      else if (res.status === 503) full = res;
      else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
    }
    expect(full, "the data files reached the limit").not.toBeNull();
    expect(Number(full!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // Still full: every further request is refused the same way, none acknowledged.
    for (let i = 0; i < 3; i++) {
      const res = await post(batch());
      expect(res.status).toBe(503);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }
    expect(server.output()).toMatch(
      /telemetry store write failed \(SQLITE_(FULL|IOERR)[A-Z_]*\): the data directory cannot grow/,
    );
    // Reads keep working while ingest is refused.
    const services = await fetch(server.baseUrl + "/api/v1/services");
    expect(services.status).toBe(200);

    // Space returns: ingest works again, same process.
    setFileSizeLimit(pid, "unlimited");
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      const b = batch();
      const res = await post(b);
      if (res.status === 200) {
        acked.push(b.traceId);
        recovered = true;
      } else await new Promise((r) => setTimeout(r, 200));
    }
    expect(recovered).toBe(true);
    for (let i = 0; i < 5; i++) {
      const b = batch();
      expect((await post(b)).status).toBe(200);
      acked.push(b.traceId);
    }
    expect(server.process.exitCode).toBeNull();

    await server.stop();
    server = null;
    const db = new Database(path.join(dataDir, "telemetry.db"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const incomplete = acked.filter((t) => readTraceSpans(db, t).length !== SPANS);
      expect(incomplete, `of ${acked.length} acknowledged`).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
