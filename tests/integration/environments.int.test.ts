import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../helpers/otel-sender";

/**
 * Environments never mix: the same service names in production and staging (and a service
 * without an environment) become separate nodes, edges, service rows and edge histories, sent
 * through the real OTLP/protobuf exporter to a real server.
 */
let server: RunningServer;
const nowS = Math.floor(Date.now() / 1000) - 2;
const win = `from=${(nowS - 120) * 1000}&to=${(nowS + 60) * 1000}`;

interface MapBody {
  nodes: Array<{ id: string; name: string; environment?: string; stats: { requests: number; errors: number } }>;
  edges: Array<{ id: string; source: string; target: string; stats: { requests: number; errors: number } }>;
}
interface ServicesBody {
  services: Array<{ name: string; environment: string | null; requests: number; errors: number }>;
}
interface EdgeSeries {
  stepSeconds: number;
  points: Array<{
    t: number;
    requests: number;
    errors: number;
    client: { p95Ms: number | null };
    server: { p95Ms: number | null };
  }>;
}

/** web → api (and api → postgres) `calls` times in one environment; `failing` of the api spans fail. */
async function sendFleet(environment: string | null, calls: number, failing: number, serverMs: number): Promise<void> {
  const resource = environment ? { "deployment.environment.name": environment } : {};
  const web = createServiceTracer("web", createExporter("http/protobuf", server), resource);
  const api = createServiceTracer("api", createExporter("http/protobuf", server), resource);
  for (let i = 0; i < calls; i++) {
    const root = web.span("GET /", {
      kind: SpanKind.SERVER,
      start: [nowS, 0],
      attributes: { "http.request.method": "GET" },
    });
    const call = web.span("GET", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: [nowS, 1_000_000],
      attributes: { "http.request.method": "GET", "server.address": "api" },
    });
    const srv = api.span("GET /items", {
      kind: SpanKind.SERVER,
      parent: call,
      start: [nowS, 2_000_000],
      attributes: { "http.request.method": "GET" },
    });
    if (i < failing) srv.setStatus({ code: SpanStatusCode.ERROR });
    const q = api.span("SELECT items", {
      kind: SpanKind.CLIENT,
      parent: srv,
      start: [nowS, 3_000_000],
      attributes: { "db.system": "postgresql", "db.name": "items", "server.address": "db-main" },
    });
    q.end([nowS, 4_000_000]);
    srv.end([nowS, 2_000_000 + serverMs * 1_000_000]);
    call.end([nowS, 3_000_000 + serverMs * 1_000_000]);
    root.end([nowS, 4_000_000 + serverMs * 1_000_000]);
  }
  await Promise.all([web.flush(), api.flush()]);
  await Promise.all([web.shutdown(), api.shutdown()]);
}

beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "1000", CARTOGRAPH_ROLLUP_FLUSH_MS: "300" } });
  await sendFleet("production", 8, 0, 10);
  await sendFleet("staging", 4, 4, 50);
  await sendFleet(null, 2, 0, 5);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("environments never mix", () => {
  it("answers for all environments without the parameter, with one node per service and environment", async () => {
    const map = await eventually(
      () =>
        server
          .get<MapBody>(`/api/v1/service-map?${win}`)
          .then((m) => m.edges.filter((e) => e.source.startsWith("service:web")).length >= 3 && m),
      20_000,
      "three web → api edges",
    );
    const ids = map.nodes.map((n) => n.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "service:api?env=production",
        "service:api?env=staging",
        "service:api",
        "database:postgresql://db-main:5432/items?env=production",
        "database:postgresql://db-main:5432/items?env=staging",
      ]),
    );
    const prodApi = map.nodes.find((n) => n.id === "service:api?env=production")!;
    const stagingApi = map.nodes.find((n) => n.id === "service:api?env=staging")!;
    expect(prodApi).toMatchObject({ name: "api", environment: "production", stats: { requests: 8, errors: 0 } });
    expect(stagingApi).toMatchObject({ name: "api", environment: "staging", stats: { requests: 4, errors: 4 } });
    expect(map.edges.map((e) => e.id)).toContain("service:web?env=staging->service:api?env=staging");
  });

  it("keeps one environment, or the services without one, when asked", async () => {
    const staging = await server.get<MapBody>(`/api/v1/service-map?${win}&environment=staging`);
    expect(new Set(staging.nodes.map((n) => n.environment))).toEqual(new Set(["staging"]));
    expect(staging.edges.every((e) => e.id.includes("env=staging"))).toBe(true);
    const none = await server.get<MapBody>(`/api/v1/service-map?${win}&environment=(none)`);
    expect(
      none.nodes
        .map((n) => n.id)
        .filter((id) => id.startsWith("service:"))
        .sort(),
    ).toEqual(["service:api", "service:web"]);
    expect(none.nodes.some((n) => n.environment)).toBe(false);
    const services = await server.get<ServicesBody>(`/api/v1/services?${win}`);
    const apiRows = services.services.filter((s) => s.name === "api").map((s) => [s.environment, s.requests, s.errors]);
    expect(apiRows).toEqual(
      expect.arrayContaining([
        ["production", 8, 0],
        ["staging", 4, 4],
        [null, 2, 0],
      ]),
    );
    const onlyProd = await server.get<ServicesBody>(`/api/v1/services?${win}&environment=production`);
    expect(onlyProd.services.map((s) => s.environment)).toEqual(["production", "production"]);
  });

  it("gives one edge's history with both sides' latency, and 404 / 400 for unknown or bad input", async () => {
    const path = (s: string, t: string) =>
      `/api/v1/service-map/edges/${encodeURIComponent(s)}/${encodeURIComponent(t)}/timeseries?${win}&step=60`;
    const series = await server.get<EdgeSeries>(path("service:web?env=staging", "service:api?env=staging"));
    expect(series.stepSeconds).toBe(60);
    const busy = series.points.filter((p) => p.requests > 0);
    expect(busy.reduce((n, p) => n + p.requests, 0)).toBe(4);
    expect(busy.reduce((n, p) => n + p.errors, 0)).toBe(4);
    expect(busy[0]!.server.p95Ms).toBeGreaterThan(45);
    expect(busy[0]!.client.p95Ms).toBeGreaterThan(busy[0]!.server.p95Ms!);
    expect(
      series.points.filter((p) => p.requests === 0).every((p) => p.client.p95Ms === null && p.server.p95Ms === null),
    ).toBe(true);
    const missing = await fetch(`${server.baseUrl}${path("service:web", "service:nowhere")}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/no edge/);
    const bad = await fetch(`${server.baseUrl}${path("service:web", "service:api")}`.replace("step=60", "step=0"));
    expect(bad.status).toBe(400);
  });
});
