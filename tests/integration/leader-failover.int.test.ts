import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../helpers/otel-sender";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { startSink } from "./alerting-kit";

/**
 * Two Cartograph processes on one PostgreSQL control plane (each with its own telemetry
 * SQLite, fed the same traffic). One is elected leader and evaluates; the leader is killed
 * with SIGKILL while an alert fires; the other takes over within one evaluation interval and
 * the webhook receives exactly one notification per transition: one firing, one resolved.
 */
const INTERVAL_MS = 3000;

describe("leader failover on a PostgreSQL control plane", () => {
  let postgres: TestPostgres;
  let sink: Awaited<ReturnType<typeof startSink>>;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    sink = await startSink();
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await sink?.close();
    await postgres?.stop();
  });

  const leaderOf = async (s: RunningServer) => {
    const r = await fetch(s.baseUrl + "/readyz").then(
      (x) => x.json(),
      () => null,
    );
    return r?.leader ?? null;
  };

  it("moves evaluation to the survivor within one interval, with one notification per transition", async () => {
    const url = await postgres.createDatabase("failover");
    const env = {
      CARTOGRAPH_CONTROL_DATABASE_URL: url,
      CARTOGRAPH_ALERT_INTERVAL_MS: String(INTERVAL_MS),
      CARTOGRAPH_WEBHOOK_ALLOW: "127.0.0.1/32",
      CARTOGRAPH_PUBLIC_URL: "http://cartograph.test",
    };
    servers.push(await startServer({ env, readyTimeoutMs: 240_000 }));
    servers.push(await startServer({ env, readyTimeoutMs: 240_000 }));
    const [first, second] = servers as [RunningServer, RunningServer];
    await eventually(async () => (await leaderOf(first))?.leader === true, 15_000, "the first instance to lead");
    expect((await leaderOf(second))?.leader).toBe(false);

    // Rules and channels are shared: create them through the follower.
    const post = async (path: string, body: unknown) => {
      const res = await fetch(second.baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`POST ${path} → ${res.status} ${await res.text()}`);
      return res.json();
    };
    const channel = await post("/api/v1/notification-channels", {
      type: "webhook",
      name: "hook",
      settings: { url: `${sink.url}/hook` },
    });
    await post("/api/v1/alert-rules", {
      type: "service",
      name: "FailoverErrors",
      service: "failover-demo",
      signal: "error_rate",
      op: ">",
      threshold: 0.3,
      for: 0,
      windowSeconds: 300,
      onNoData: "ok",
      channelIds: [channel.id],
    });

    const tracers = servers.map((s) => createServiceTracer("failover-demo", createExporter("http/protobuf", s)));
    const send = async (to: typeof tracers, ok: number, failed: number) => {
      for (const svc of to) {
        for (let i = 0; i < ok + failed; i++) {
          const s = svc.span("GET /pay", { kind: SpanKind.SERVER });
          if (i < failed) s.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
          s.end();
        }
        await svc.flush();
      }
    };
    await send(tracers, 5, 5);
    await eventually(
      async () => sink.deliveries.find((d) => d.body.status === "firing"),
      30_000,
      "firing notification",
    );
    // The follower reads the same committed state as the leader.
    expect((await second.get("/api/v1/alerts?state=firing")).alerts).toHaveLength(1);

    const killedAt = Date.now();
    await first.kill();
    await eventually(async () => (await leaderOf(second))?.leader === true, 3 * INTERVAL_MS, "the survivor to lead");
    const takeoverMs = Date.now() - killedAt;
    console.log(`failover: the survivor led ${takeoverMs} ms after SIGKILL (interval ${INTERVAL_MS} ms)`);
    expect(takeoverMs).toBeLessThanOrEqual(INTERVAL_MS + 500); // 500 ms: this test's polling

    // Still firing after the failover: two more intervals on the new leader, no second firing.
    await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));
    expect(sink.deliveries.map((d) => d.body.status)).toEqual(["firing"]);

    await send([tracers[1]!], 200, 0);
    await eventually(
      async () => sink.deliveries.find((d) => d.body.status === "resolved"),
      30_000,
      "resolved notification",
    );
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
    expect(sink.deliveries.map((d) => d.body.status)).toEqual(["firing", "resolved"]);
    const metrics = await (await fetch(second.baseUrl + "/metrics")).text();
    expect(metrics).toMatch(/^cartograph_leader 1$/m);
    for (const t of tracers) await t.shutdown().catch(() => undefined);
  }, 600_000);
});
