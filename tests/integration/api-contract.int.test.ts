import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { z } from "zod";
import { contract, errorBodySchema, type AnyEndpoint } from "../../lib/contract";
import { allRoutes } from "../../server/api";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../helpers/otel-sender";
import { createLogExporter, createServiceLogger, SeverityNumber } from "../helpers/otel-logs-sender";

/**
 * The contract holds the server: every route is declared from a contract entry and every
 * entry has a route; real requests against a real server answer exactly what the entry's
 * response schema says (no missing field, no wrong type, no undocumented field).
 */
type EndpointId = keyof typeof contract;
interface Sample {
  path: string;
  body?: unknown;
  /** An expected error status (the answer is then checked against the error body). */
  status?: number;
}

let server: RunningServer;
let traceId = "";
const ids = { rule: "", silence: "", channel: "", ingestKey: "" };
const ADMIN_PASSWORD = "contract admin password";
const nowS = Math.floor(Date.now() / 1000) - 2;
const window = `from=${(nowS - 300) * 1000}&to=now`;

/** One request per endpoint; the Record type makes a new endpoint without a sample a type error. */
const samples: Record<EndpointId, () => Sample> = {
  getServices: () => ({ path: `/api/v1/services?${window}` }),
  getOperations: () => ({ path: `/api/v1/services/orders/operations?${window}` }),
  getServiceTimeseries: () => ({ path: `/api/v1/services/orders/timeseries?${window}&step=60` }),
  searchTraces: () => ({ path: `/api/v1/traces?${window}&service=orders&attr=http.route=/orders/:id&limit=5` }),
  getTrace: () => ({ path: `/api/v1/traces/${traceId}` }),
  searchLogs: () => ({
    path: `/api/v1/logs?${window}&service=orders&minSeverity=warn&attr=order.id=o-1&attr=region=eu&limit=5`,
  }),
  getLogHistogram: () => ({ path: `/api/v1/logs/histogram?${window}&step=60` }),
  getTraceLogs: () => ({ path: `/api/v1/traces/${traceId}/logs` }),
  listMetrics: () => ({ path: `/api/v1/metrics?${window}` }),
  queryMetric: () => ({ path: `/api/v1/metrics/query?${window}&service=orders&name=orders_placed` }),
  getServiceMap: () => ({ path: `/api/v1/service-map?${window}` }),
  getServiceMapSummary: () => ({ path: `/api/v1/service-map/summary?${window}` }),
  getServiceMapDiff: () => ({ path: `/api/v1/service-map/diff?${window}&environment=(none)` }),
  getEdgeTimeseries: () => ({
    path: `/api/v1/service-map/edges/${encodeURIComponent("service:gateway")}/${encodeURIComponent("service:orders")}/timeseries?${window}&step=60`,
  }),
  layoutServiceMap: () => ({
    path: "/api/v1/service-map/layout",
    body: {
      nodes: [{ id: "service:gateway" }, { id: "service:orders" }],
      edges: [{ id: "service:gateway->service:orders", source: "service:gateway", target: "service:orders" }],
    },
  }),
  getViolations: () => ({ path: `/api/v1/violations?${window}` }),
  getCouplingMetrics: () => ({ path: `/api/v1/coupling/metrics?${window}` }),
  getServiceCoupling: () => ({ path: `/api/v1/coupling/metrics/gateway?${window}` }),
  getPolicy: () => ({ path: "/api/v1/policy" }),
  putPolicy: () => ({ path: "/api/v1/policy", body: { yaml: "settings:\n  maxTraces: 5000\n" } }),
  listAlertRules: () => ({ path: "/api/v1/alert-rules" }),
  createAlertRule: () => ({ path: "/api/v1/alert-rules", body: rule }),
  previewAlertRule: () => ({ path: "/api/v1/alert-rules/preview", body: { rule, from: (nowS - 600) * 1000 } }),
  getAlertRule: () => ({ path: `/api/v1/alert-rules/${ids.rule}` }),
  updateAlertRule: () => ({ path: `/api/v1/alert-rules/${ids.rule}`, body: { ...rule, threshold: 0.2 } }),
  listAlerts: () => ({ path: "/api/v1/alerts?state=firing,pending" }),
  getAlertHistory: () => ({ path: "/api/v1/alerts/history?limit=10" }),
  listSilences: () => ({ path: "/api/v1/silences" }),
  createSilence: () => ({
    path: "/api/v1/silences",
    body: {
      matchers: [{ name: "service", op: "=~", value: "ord.*" }],
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    },
  }),
  listChannels: () => ({ path: "/api/v1/notification-channels" }),
  createChannel: () => ({
    path: "/api/v1/notification-channels",
    body: {
      type: "webhook",
      name: "ops",
      settings: { url: "http://127.0.0.1:9/hook", headers: { Authorization: "Bearer x" } },
    },
  }),
  getChannel: () => ({ path: `/api/v1/notification-channels/${ids.channel}` }),
  updateChannel: () => ({
    path: `/api/v1/notification-channels/${ids.channel}`,
    body: {
      type: "webhook",
      name: "ops-2",
      settings: { url: "http://127.0.0.1:9/hook", headers: { Authorization: "********" } },
    },
  }),
  jaegerServices: () => ({ path: "/jaeger/api/services" }),
  jaegerServiceOperations: () => ({ path: "/jaeger/api/services/orders/operations" }),
  jaegerOperations: () => ({ path: "/jaeger/api/operations?service=orders&spanKind=server" }),
  jaegerTraces: () => ({ path: "/jaeger/api/traces?service=orders&lookback=1h&tag=http.route:/orders/:id&limit=5" }),
  jaegerTrace: () => ({ path: `/jaeger/api/traces/${traceId}` }),
  jaegerDependencies: () => ({ path: "/jaeger/api/dependencies" }),
  getOpenApi: () => ({ path: "/api/v1/openapi.json" }),
  getSession: () => ({ path: "/api/v1/auth/session" }),
  login: () => ({ path: "/api/v1/auth/login", body: { username: "admin", password: ADMIN_PASSWORD } }),
  logout: () => ({ path: "/api/v1/auth/logout", body: {} }),
  // The admin exists already: the setup secret is refused.
  completeSetup: () => ({
    path: "/api/v1/auth/setup",
    body: { token: "not-the-secret", password: "a long enough password" },
    status: 403,
  }),
  listUsers: () => ({ path: "/api/v1/access/users" }),
  createUser: () => ({
    path: "/api/v1/access/users",
    body: { name: "contract-user", role: "viewer", password: "contract user password" },
  }),
  updateUser: () => ({ path: "/api/v1/access/users/contract-user", body: { role: "editor" } }),
  listTokens: () => ({ path: "/api/v1/access/tokens" }),
  // Authentication is off here: tokens belong to signed-in users.
  createToken: () => ({ path: "/api/v1/access/tokens", body: { name: "ci" }, status: 409 }),
  listIngestKeys: () => ({ path: "/api/v1/access/ingest-keys" }),
  createIngestKey: () => ({ path: "/api/v1/access/ingest-keys", body: { name: "contract", requestsPerSecond: 10 } }),
  // Deletions last (see ORDER).
  deleteAlertRule: () => ({ path: `/api/v1/alert-rules/${ids.rule}` }),
  deleteSilence: () => ({ path: `/api/v1/silences/${ids.silence}` }),
  deleteChannel: () => ({ path: `/api/v1/notification-channels/${ids.channel}` }),
  revokeToken: () => ({ path: "/api/v1/access/tokens/unknown", status: 404 }),
  revokeIngestKey: () => ({ path: `/api/v1/access/ingest-keys/${ids.ingestKey}` }),
  deleteUser: () => ({ path: "/api/v1/access/users/contract-user" }),
};
const rule = { type: "service", name: "orders errors", service: "orders", signal: "error_rate", threshold: 0.1 };

/** Exactly the documented fields: parsing strips unknown keys, so parsed must equal the answer. */
function expectWithin(schema: z.ZodType, body: unknown, what: string) {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new Error(
      `${what} answered outside its contract: ${z.prettifyError(r.error)}\n${JSON.stringify(body).slice(0, 2000)}`,
    );
  expect(r.data, `${what}: fields not in the contract`).toEqual(body);
}

async function call(e: AnyEndpoint, sample: Sample) {
  const res = await fetch(server.baseUrl + sample.path, {
    method: e.method,
    headers: sample.body === undefined ? {} : { "content-type": "application/json" },
    body: sample.body === undefined ? undefined : JSON.stringify(sample.body),
  });
  return { status: res.status, body: await res.json() };
}

describe("API contract", () => {
  it("declares every route from a contract entry, and every entry has its route", () => {
    const routes = allRoutes.map((r) => `${r.method} ${r.path}`);
    const undeclared = allRoutes.filter(
      (r) => !r.endpoint || r.endpoint.method !== r.method || r.endpoint.path !== r.path,
    );
    expect(
      undeclared.map((r) => `${r.method} ${r.path}`),
      "routes without a contract entry",
    ).toEqual([]);
    const entries = Object.values(contract).map((e) => `${e.method} ${e.path}`);
    expect([...routes].sort()).toEqual([...entries].sort());
    expect(new Set(routes).size, "a method and path declared twice").toBe(routes.length);
  });

  describe("against a real server", () => {
    beforeAll(async () => {
      const policyDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-contract-"));
      server = await startServer({
        env: {
          CARTOGRAPH_ADMIN_PASSWORD: ADMIN_PASSWORD,
          CARTOGRAPH_PAIRING_WAIT_MS: "500",
          CARTOGRAPH_WEBHOOK_ALLOW: "127.0.0.1/32",
          CARTOGRAPH_POLICY_FILE: path.join(policyDir, "cartograph.yaml"),
        },
      });
      await sendTraffic(server);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("answers every endpoint inside its response schema", async () => {
      const seen: string[] = [];
      for (const id of Object.keys(samples) as EndpointId[]) {
        const e = contract[id] as AnyEndpoint;
        const sample = samples[id]();
        const { status, body } = await call(e, sample);
        const expected = sample.status ?? e.status ?? 200;
        expect(status, `${id}: ${JSON.stringify(body).slice(0, 500)}`).toBe(expected);
        expectWithin(expected >= 400 ? errorBodySchema : e.response, body, id);
        if (id === "createAlertRule") ids.rule = body.id;
        if (id === "createSilence") ids.silence = body.id;
        if (id === "createChannel") ids.channel = body.id;
        if (id === "createIngestKey") ids.ingestKey = body.id;
        seen.push(id);
      }
      expect(seen.sort()).toEqual(Object.keys(contract).sort());
    });

    it("answers client mistakes with a 400 error body naming the parameter", async () => {
      const cases: [AnyEndpoint, Sample, RegExp][] = [
        [contract.getServiceMap, { path: "/api/v1/service-map?focus=service:orders&depth=0" }, /depth/],
        [contract.getServiceMapSummary, { path: "/api/v1/service-map/summary?depth=2" }, /depth needs focus/],
        [contract.getServices, { path: "/api/v1/services?from=yesterday" }, /from/],
        [contract.searchTraces, { path: "/api/v1/traces?minDurationMs=5&maxDurationMs=1" }, /minDurationMs/],
        [contract.queryMetric, { path: "/api/v1/metrics/query?service=orders&name=x&agg=median" }, /agg/],
        [contract.getViolations, { path: "/api/v1/violations?severity=fatal" }, /severity/],
        [contract.searchLogs, { path: "/api/v1/logs?minSeverity=loud" }, /minSeverity/],
        [contract.searchLogs, { path: "/api/v1/logs?attr=novalue" }, /key=value/],
        [contract.listAlerts, { path: "/api/v1/alerts?state=firing,sleeping" }, /sleeping/],
        [contract.createAlertRule, { path: "/api/v1/alert-rules", body: { ...rule, threshold: 5 } }, /threshold/],
      ];
      for (const [e, sample, message] of cases) {
        const { status, body } = await call(e, sample);
        expect(status, sample.path).toBe(400);
        expectWithin(errorBodySchema, body, sample.path);
        expect(body.error.message).toMatch(message);
      }
    });

    it("serves an OpenAPI document with every endpoint of the contract", async () => {
      const doc = await server.get<{ paths: Record<string, Record<string, { operationId: string }>> }>(
        "/api/v1/openapi.json",
      );
      const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
      for (const id of Object.keys(contract)) expect(operations).toContain(id);
      expect(JSON.stringify(doc.paths["/api/v1/metrics/query"])).toContain('"p99"');
    });
  });
});

/** Real OTLP traffic: gateway → orders → postgres, one error, and one counter metric. */
async function sendTraffic(s: RunningServer) {
  const gateway = createServiceTracer("gateway", createExporter("http/protobuf", s));
  const orders = createServiceTracer("orders", createExporter("http/protobuf", s));
  const logs = createServiceLogger("orders", createLogExporter("http/protobuf", s));
  for (let i = 0; i < 4; i++) {
    const root = gateway.span("GET /order", {
      kind: SpanKind.SERVER,
      start: [nowS, 0],
      attributes: { "http.request.method": "GET" },
    });
    const out = gateway.span("GET", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: [nowS, 1_000_000],
      attributes: { "http.request.method": "GET", "server.address": "orders" },
    });
    const srv = orders.span("GET /orders/:id", {
      kind: SpanKind.SERVER,
      parent: out,
      start: [nowS, 2_000_000],
      attributes: { "http.route": "/orders/:id" },
    });
    if (i === 0) srv.setStatus({ code: SpanStatusCode.ERROR });
    const q = orders.span("SELECT orders", {
      kind: SpanKind.CLIENT,
      parent: srv,
      start: [nowS, 3_000_000],
      attributes: { "db.system": "postgresql", "db.name": "orders", "net.peer.name": "db-main" },
    });
    q.end([nowS, 5_000_000]);
    srv.end([nowS, 8_000_000]);
    out.end([nowS, 9_000_000]);
    root.end([nowS, 10_000_000]);
    if (i === 0) {
      traceId = root.spanContext().traceId;
      logs.emit({
        span: srv,
        severity: SeverityNumber.ERROR,
        severityText: "ERROR",
        body: "card declined",
        attributes: { "order.id": "o-1", region: "eu" },
      });
    }
  }
  await logs.flush();
  await logs.shutdown();
  await orders.flush();
  await gateway.flush();
  await Promise.all([gateway.shutdown(), orders.shutdown()]);

  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${s.otlpHttpUrl}/v1/metrics` }),
    exportIntervalMillis: 60_000,
  });
  const meters = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "orders" }),
    readers: [reader],
  });
  meters.getMeter("orders").createCounter("orders_placed").add(3, { region: "eu" });
  await meters.forceFlush();
  await meters.shutdown();

  await eventually(
    () => s.get(`/api/v1/service-map?${window}`).then((m) => m.edges.length >= 2 && m),
    20_000,
    "service map edges",
  );
  await eventually(() => s.get(`/api/v1/metrics?${window}`).then((m) => m.metrics.length >= 1 && m), 20_000, "metric");
  await eventually(() => s.get(`/api/v1/logs?${window}`).then((l) => l.logs.length >= 1 && l), 20_000, "log line");
}
