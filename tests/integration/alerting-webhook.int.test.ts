import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClock, createFakeSource, openAlerting, startSink, tempDataDir } from "./alerting-kit";
import type { Alerting } from "../../server/alerting";
import { startPostgres, type TestPostgres } from "../helpers/postgres";

// The same behaviour on both control planes: SQLite (default) and PostgreSQL (a private cluster).
let postgres: TestPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

const MIN = 60_000;
let open: Alerting[] = [];
let sinks: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const a of open) await a.stop();
  for (const s of sinks) await s.close();
  open = [];
  sinks = [];
});

async function setup(respond?: Parameters<typeof startSink>[0], backend: "sqlite" | "postgresql" = "sqlite") {
  const dir = tempDataDir();
  const env: Record<string, string> =
    backend === "postgresql" ? { CARTOGRAPH_CONTROL_DATABASE_URL: await postgres.createDatabase("webhook") } : {};
  const clock = createClock();
  const src = createFakeSource();
  const sink = await startSink(respond);
  sinks.push(sink);
  const start = async () => {
    const a = await openAlerting(dir, src.ds, clock.now, env);
    open.push(a);
    return a;
  };
  const a = await start();
  const channel = await a.service.createChannel({
    type: "webhook",
    name: "ops",
    enabled: true,
    settings: { url: sink.url + "/hook", headers: {}, sendResolved: true },
  });
  const rule = await a.service.createRule({
    type: "service",
    name: "HighErrorRate",
    enabled: true,
    service: "*",
    signal: "error_rate",
    forEach: true,
    minRequests: 0,
    op: ">",
    threshold: 0.05,
    for: 120,
    keepFiringFor: 0,
    labels: { severity: "page" },
    annotations: {},
    channelIds: [channel.id],
    onNoData: "no-data",
    onError: "error",
    limit: 1000,
    windowSeconds: 300,
  });
  return { dir, clock, src, sink, a, start, channel, rule };
}

describe.each([
  ["SQLite control plane", "sqlite" as const],
  ["PostgreSQL control plane", "postgresql" as const],
])("alerting → webhook (Alertmanager v4 payload), %s", (_name, backend) => {
  it("sends one firing after `for` and one resolve, across a restart in the middle", async () => {
    const { clock, src, sink, start, a, rule } = await setup(undefined, backend);
    src.setErrorRate("orders", 0.2);
    await a.tick();
    expect((await a.service.listAlerts()).map((x) => x.state)).toEqual(["pending"]);
    clock.advance(MIN);
    await a.tick();
    expect(sink.deliveries).toHaveLength(0);
    clock.advance(MIN);
    await a.tick();
    expect(sink.deliveries).toHaveLength(1);
    const firing = sink.deliveries[0]!.body;
    expect(firing).toMatchObject({
      version: "4",
      status: "firing",
      receiver: "ops",
      truncatedAlerts: 0,
      externalURL: "http://cartograph.test",
    });
    expect(firing.groupKey).toContain('alertname="HighErrorRate"');
    expect(firing.alerts[0]).toMatchObject({
      status: "firing",
      labels: { alertname: "HighErrorRate", service: "orders", severity: "page" },
      endsAt: "0001-01-01T00:00:00Z",
      startsAt: "2026-11-25T10:00:00.000Z",
      generatorURL: `http://cartograph.test/alerts?rule=${rule.id}`,
    });
    expect(firing.alerts[0].fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(firing.alerts[0].annotations.summary).toBe("HighErrorRate: value 0.2 (threshold 0.05)");
    expect(firing.alerts[0].annotations.service_url).toBe("http://cartograph.test/services/orders");
    expect(firing.alerts[0].annotations.map_url).toBe("http://cartograph.test/map?focus=service%3Aorders");

    // Restart: a new process on the same data dir keeps the firing state and does not re-send.
    await a.stop();
    const b = await start();
    clock.advance(MIN);
    await b.tick();
    expect(sink.deliveries).toHaveLength(1);
    expect((await b.service.listAlerts())[0]!.state).toBe("firing");

    src.setErrorRate("orders", 0);
    clock.advance(MIN);
    await b.tick();
    expect(sink.deliveries).toHaveLength(2);
    expect(sink.deliveries[1]!.body).toMatchObject({
      status: "resolved",
      alerts: [{ status: "resolved", endsAt: new Date(clock.now()).toISOString() }],
    });
    const hist = await b.service.history({ fromMs: 0, toMs: clock.now() + 1, limit: 100 });
    expect(hist.map((h) => `${h.from}->${h.to}`).reverse()).toEqual([
      "inactive->pending",
      "pending->firing",
      "firing->resolved",
    ]);
  });

  it("delivers a notification committed before a crash exactly once after restart, also through 500s with backoff", async () => {
    const { clock, src, sink, start, a } = await setup((n) => (n < 3 ? 500 : 200), backend);
    src.setErrorRate("orders", 0.5);
    await a.tick();
    clock.advance(2 * MIN);
    // Evaluate only (the state and the outbox row commit together), then "crash" before delivery.
    await a.scheduler["engine"].evaluate(clock.now());
    await a.stop();
    const b = await start();
    await b.dispatch();
    expect(sink.requests()).toBe(1);
    for (let i = 0; i < 6; i++) {
      clock.advance(5_000);
      await b.dispatch();
    }
    expect(sink.requests()).toBe(4);
    expect(sink.deliveries.map((d) => d.body.status)).toEqual(["firing"]);
    clock.advance(MIN);
    await b.tick();
    expect(sink.deliveries.map((d) => d.body.status)).toEqual(["firing"]);
  });

  it("does not notify while silenced, and records every transition", async () => {
    const { clock, src, sink, a } = await setup(undefined, backend);
    await a.service.createSilence({
      matchers: [{ name: "service", op: "=~", value: "ord.*" }],
      endsAt: new Date(clock.now() + 10 * MIN).toISOString(),
      comment: "deploy",
      createdBy: "test",
    });
    src.setErrorRate("orders", 0.5);
    for (let i = 0; i < 4; i++) {
      await a.tick();
      clock.advance(MIN);
    }
    expect(sink.deliveries).toHaveLength(0);
    const [inst] = await a.service.listAlerts(["firing"]);
    expect(inst!.silencedBy).toHaveLength(1);
    src.setErrorRate("orders", 0);
    await a.tick();
    expect(sink.deliveries).toHaveLength(0);
  });

  it("keeps firing through flapping within keepFiringFor: one firing, one resolve", async () => {
    const { clock, src, sink, a, rule } = await setup(undefined, backend);
    const { id, createdAt, updatedAt, health, counts, ...def } = (await a.service.getRule(rule.id))!;
    await a.service.updateRule(rule.id, { ...def, for: 0, keepFiringFor: 180 });
    for (const rate of [0.5, 0, 0.5, 0, 0.5, 0, 0, 0, 0]) {
      src.setErrorRate("orders", rate);
      await a.tick();
      clock.advance(MIN);
    }
    expect(sink.deliveries.map((d) => d.body.status)).toEqual(["firing", "resolved"]);
  });

  it("reports no data and query errors as their own states with a reason", async () => {
    const { src, a } = await setup(undefined, backend);
    await a.tick();
    expect(await a.service.listAlerts()).toMatchObject([
      { state: "nodata", labels: { alertstate: "NoData" }, reason: expect.stringContaining("no series") },
    ]);
    src.state.fail = "database is locked";
    await a.tick();
    expect(await a.service.listAlerts()).toMatchObject([
      { state: "error", reason: "query failed: database is locked" },
    ]);
    expect((await a.service.listRules())[0]!.health).toMatchObject({ health: "error" });
  });
});
