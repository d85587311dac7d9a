import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { alertingRoutes, createRouter, type ApiContext } from "../../server/api";
import { createLogger } from "../../server/platform/logger";
import { ANONYMOUS_ADMIN } from "../../server/auth";
import type { Alerting } from "../../server/alerting";
import { createClock, createFakeSource, openAlerting, tempDataDir } from "./alerting-kit";

/** The alerting routes over HTTP: validation with field errors, CRUD, masking, preview. */
describe("alerting API", () => {
  let server: http.Server;
  let base = "";
  let alerting: Alerting;
  const src = createFakeSource();
  const clock = createClock(Date.now());

  beforeAll(async () => {
    alerting = await openAlerting(tempDataDir(), src.ds, clock.now);
    const ctx = {
      config: {} as ApiContext["config"],
      log: createLogger("error"),
      now: clock.now,
      telemetry: {} as ApiContext["telemetry"],
      alerting: alerting.service,
    } as ApiContext;
    const route = createRouter(alertingRoutes, ctx);
    server = http.createServer(async (req, res) => {
      if (!(await route(req, res, ANONYMOUS_ADMIN))) res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await alerting.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(base + path, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it("rejects invalid rules with field-level errors", async () => {
    const r = await call("POST", "/api/v1/alert-rules", {
      type: "service",
      name: "",
      signal: "error_rate",
      threshold: 5,
      for: -1,
      labels: { v: "{{ $value }}" },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("invalid-rule");
    const paths = r.body.error.details.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "for"]));
    const unknownType = await call("POST", "/api/v1/alert-rules", { type: "nope", name: "x" });
    expect(unknownType.status).toBe(400);
    expect(unknownType.body.error.details.fields[0].path).toBe("type");
  });

  it("creates, reads, replaces, disables and deletes a rule", async () => {
    const created = await call("POST", "/api/v1/alert-rules", {
      type: "edge",
      name: "SlowEdge",
      source: "frontend",
      signal: "latency_p99",
      threshold: 500,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: "edge", source: "frontend", target: "*", for: 0, enabled: true });
    const id = created.body.id;
    const { id: _i, createdAt, updatedAt, health, counts, ...body } = created.body;
    const put = await call("PUT", `/api/v1/alert-rules/${id}`, { ...body, enabled: false, threshold: 800 });
    expect(put.body).toMatchObject({ id, enabled: false, threshold: 800 });
    expect((await call("GET", "/api/v1/alert-rules")).body.rules.map((r: { id: string }) => r.id)).toContain(id);
    expect((await call("DELETE", `/api/v1/alert-rules/${id}`)).status).toBe(200);
    expect((await call("GET", `/api/v1/alert-rules/${id}`)).status).toBe(404);
  });

  it("masks channel secrets and keeps them on update", async () => {
    const c = await call("POST", "/api/v1/notification-channels", {
      type: "webhook",
      name: "w",
      settings: { url: "https://hooks.example.com/a", headers: { Authorization: "Bearer s3cret" } },
    });
    expect(c.body.settings.headers.Authorization).toBe("********");
    await call("PUT", `/api/v1/notification-channels/${c.body.id}`, {
      type: "webhook",
      name: "w2",
      settings: { url: "https://hooks.example.com/a", headers: { Authorization: "********" } },
    });
    const row = await alerting.service.db.notificationChannel.findUnique({ where: { id: c.body.id } });
    expect(JSON.parse(row!.settings).headers.Authorization).toBe("Bearer s3cret");
    const bad = await call("POST", "/api/v1/notification-channels", {
      type: "webhook",
      name: "x",
      settings: { url: "ftp://x" },
    });
    expect(bad.body.error.details.fields[0].path).toBe("settings.url");
  });

  it("validates silences and lists current alerts and the preview series", async () => {
    const bad = await call("POST", "/api/v1/silences", {
      matchers: [{ name: "service", op: "=~", value: "(" }],
      endsAt: new Date(clock.now() + 1000).toISOString(),
    });
    expect(bad.status).toBe(400);
    const ok = await call("POST", "/api/v1/silences", {
      matchers: [{ name: "service", op: "=", value: "orders" }],
      endsAt: new Date(clock.now() + 3600_000).toISOString(),
    });
    expect(ok.body.status).toBe("active");
    src.setErrorRate("orders", 0.5);
    await call("POST", "/api/v1/alert-rules", {
      type: "service",
      name: "Errors",
      signal: "error_rate",
      threshold: 0.1,
    });
    await alerting.tick();
    const alerts = await call("GET", "/api/v1/alerts?state=firing");
    expect(alerts.body.alerts).toMatchObject([
      { state: "firing", labels: { service: "orders" }, silencedBy: [ok.body.id] },
    ]);
    expect((await call("GET", "/api/v1/alerts?state=bogus")).status).toBe(400);
    const preview = await call("POST", "/api/v1/alert-rules/preview", {
      rule: { type: "service", name: "p", signal: "error_rate", threshold: 0.1 },
    });
    expect(preview.body).toMatchObject({ threshold: 0.1, op: ">", series: [{ labels: { service: "orders" } }] });
    expect(preview.body.series[0].points.length).toBeGreaterThan(10);
  });
});
