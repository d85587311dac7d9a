import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { startServer, type RunningServer } from "../helpers/start-server";

/**
 * A full disk: the data directory on a small tmpfs (needs root, as on CI; skipped where
 * mounting is not allowed). Ingest answers 503 + Retry-After with a clear log line, nothing
 * acknowledged is lost, the file stays intact, and once space is freed (the tmpfs grown)
 * ingest works again without a restart.
 */
const require = createRequire(import.meta.url);
const root = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

const mountPoint = mkdtempSync(path.join(os.tmpdir(), "cartograph-full-"));
function tryMount(): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=12m", "tmpfs", mountPoint], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const mounted = process.env.CARTOGRAPH_UNPROVEN_TESTS ? tryMount() : false;
let server: RunningServer | null = null;
afterAll(async () => {
  await server?.stop();
  if (mounted) execFileSync("umount", ["-l", mountPoint], { stdio: "ignore" });
  rmSync(mountPoint, { recursive: true, force: true });
});

let seq = 0;
function batch(): { body: Uint8Array; traceId: string } {
  const traceId = Buffer.alloc(16, 9);
  traceId.writeUInt32BE(++seq, 12);
  const now = Date.now() * 1e6;
  const spans = Array.from({ length: 200 }, (_, i) => {
    const id = Buffer.alloc(8, 2);
    id.writeUInt32BE(i + 1, 4);
    return { traceId, spanId: id, name: "fill", kind: 2, startTimeUnixNano: now, endTimeUnixNano: now + 1e6, attributes: [{ key: "pad", value: { stringValue: "p".repeat(400) + i } }] };
  });
  const msg = TraceRequest.fromObject({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "full" } }] }, scopeSpans: [{ spans }] }] });
  return { body: TraceRequest.encode(msg).finish(), traceId: traceId.toString("hex") };
}

describe("disk full", () => {
  // Never yet run to completion: opt-in with CARTOGRAPH_UNPROVEN_TESTS=1 until it has passed.
  it.skipIf(!mounted)("answers 503 with Retry-After, loses nothing acknowledged and recovers without a restart", async () => {
    const dataDir = path.join(mountPoint, "data");
    server = await startServer({ dataDir, env: { CARTOGRAPH_RETENTION_INTERVAL_MS: "600000" }, readyTimeoutMs: 150_000 });
    const post = async (b: { body: Uint8Array }) => {
      const res = await fetch(`${server!.otlpHttpUrl}/v1/traces`, { method: "POST", body: b.body as BodyInit, headers: { "content-type": "application/x-protobuf" } });
      await res.arrayBuffer();
      return res;
    };
    const acked: string[] = [];
    let full: Response | null = null;
    for (let i = 0; i < 400 && !full; i++) {
      const b = batch();
      const res = await post(b);
      if (res.status === 200) acked.push(b.traceId);
      else if (res.status === 503) full = res;
      else throw new Error(`unexpected ${res.status}`);
    }
    expect(full, "the 12 MiB filesystem filled up").not.toBeNull();
    expect(Number(full!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(server.output()).toMatch(/disk holding the data directory is full/);
    // The API still answers while ingest is refused.
    expect((await fetch(server.baseUrl + "/api/v1/services")).status).toBe(200);

    // Free space: grow the filesystem. Ingest works again, same process.
    execFileSync("mount", ["-o", "remount,size=256m", mountPoint]);
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
    expect(server.process.exitCode).toBeNull();

    await server.stop();
    server = null;
    const db = new Database(path.join(dataDir, "telemetry.db"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const count = db.prepare("SELECT count(*) FROM spans WHERE trace_id = ?").pluck();
      expect(acked.filter((t) => count.get(t) !== 200)).toEqual([]);
    } finally {
      db.close();
    }
  }, 240_000);
});
