import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../platform/config";
import { createLogger } from "../platform/logger";
import { startQueryPool, type QueryPool } from "./query-pool";

const FAKE = new URL("./query-pool-fake-thread.mjs", import.meta.url);
let pool: QueryPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

function start(env: Record<string, string>, idleMs?: number) {
  pool = startQueryPool(loadConfig({ CARTOGRAPH_QUERY_THREADS: "2", ...env }), createLogger("error"), {
    workerUrl: FAKE,
    idleMs,
  });
  return pool;
}

async function untilReady(p: QueryPool, threads = 1) {
  for (let i = 0; i < 200 && p.health().threads < threads; i++) await new Promise((r) => setTimeout(r, 25));
}

describe("query pool", () => {
  it("answers a runaway read with 504 within its budget, replaces the thread, and keeps answering others", async () => {
    const p = start({ CARTOGRAPH_QUERY_TIMEOUT_MS: "300" });
    await untilReady(p, 2);
    let runawayDone = false;
    const runaway = p.offload("/api/v1/spin")!.finally(() => (runawayDone = true));
    const other = await p.offload("/api/v1/services")!;
    expect(other.status).toBe(200);
    // The other read was answered by the second thread while the first was still stuck.
    expect(runawayDone).toBe(false);
    const stuck = await runaway;
    expect(stuck.status).toBe(504);
    expect(JSON.parse(stuck.json).error.message).toMatch(/300 ms budget/);
    expect(p.health().timeouts).toBe(1);
    await untilReady(p, 2);
    expect(p.health()).toMatchObject({ ready: true, threads: 2 });
    expect((await p.offload("/api/v1/after")!).status).toBe(200);
  });

  it("reports not ready while every thread is stuck, and answers queued reads 503 + Retry-After", async () => {
    const p = start({ CARTOGRAPH_QUERY_TIMEOUT_MS: "400", CARTOGRAPH_QUERY_THREADS: "1" });
    await untilReady(p);
    const runaway = p.offload("/spin")!;
    const queued = p.offload("/queued")!;
    await new Promise((r) => setTimeout(r, 250));
    expect(p.health().ready).toBe(false);
    expect(p.health().reason).toMatch(/waited/);
    const [a, b] = await Promise.all([runaway, queued]);
    expect(a.status).toBe(504);
    expect(b.status).toBe(503);
    expect(b.headers?.["retry-after"]).toBe("1");
  });

  it("bounds the queue and survives a thread that dies", async () => {
    const p = start({
      CARTOGRAPH_QUERY_QUEUE_MAX: "1",
      CARTOGRAPH_QUERY_THREADS: "1",
      CARTOGRAPH_QUERY_TIMEOUT_MS: "20000",
    });
    await untilReady(p);
    const crash = p.offload("/crash")!;
    const waiting = p.offload("/one")!;
    const refused = await p.offload("/two")!;
    expect(refused.status).toBe(503);
    expect((await crash).status).toBe(503);
    expect((await waiting).status).toBe(200);
    await expect(p.alertData.serviceRed({ fromMs: 0, toMs: 1 })).resolves.toEqual([{ service: "s", requests: 1 }]);
  });

  it("stops a thread beyond the first when idle and starts it again when reads wait", async () => {
    const p = start({ CARTOGRAPH_QUERY_TIMEOUT_MS: "30000" }, 300);
    await untilReady(p, 2);
    expect(p.health().threads).toBe(2);
    for (let i = 0; i < 200 && p.health().threads > 1; i++) await new Promise((r) => setTimeout(r, 25));
    expect(p.health()).toMatchObject({ ready: true, threads: 1 });

    // The one thread is stuck in a long read: the next read starts a second thread and is answered.
    let runawayDone = false;
    void p.offload("/api/v1/spin")!.finally(() => (runawayDone = true));
    const other = await p.offload("/api/v1/services")!;
    expect(other.status).toBe(200);
    expect(runawayDone).toBe(false);
    expect(p.health().threads).toBe(2);
  });
});
