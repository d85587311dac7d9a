import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../../../tests/helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../../../tests/helpers/otel-sender";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "1000" } });
});
afterAll(async () => {
  await server?.stop();
});

interface MapBody {
  nodes: Array<{ id: string; kind: string; health: string; stats: { requests: number; errors: number } }>;
  edges: Array<{ id: string; protocol: string; statsSide: string; stats: { requests: number; errors: number } }>;
  completeness: { pairedCalls: number };
}

type FullMap = {
  nodes: Array<Record<string, unknown> & { id: string; detail?: unknown; firstSeen?: string; lastSeen?: string }>;
  edges: Array<Record<string, unknown> & { id: string; source: string; target: string }>;
  completeness: unknown;
};

describe("API answers: compression and Server-Timing", () => {
  it("compresses a large answer for a client that accepts it, says where the time went, and stays plain otherwise", async () => {
    // The OpenAPI document is large whatever the data: any JSON answer goes through the same writer.
    const url = `${server.baseUrl}/api/v1/service-map/summary?focus=service:none&depth=1`;
    const { request } = await import("node:http");
    const raw = (encoding: string | null) =>
      new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = request(`${server.baseUrl}/api/v1/openapi.json`, {
          headers: encoding ? { "accept-encoding": encoding } : {},
        });
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on("error", reject);
        req.end();
      });
    const { gunzipSync, brotliDecompressSync } = await import("node:zlib");
    const plain = await raw(null);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const doc = JSON.parse(plain.body.toString());
    expect(doc.paths["/api/v1/service-map/summary"]).toBeDefined();
    const gz = await raw("gzip, deflate");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gz.body.length).toBeLessThan(plain.body.length / 3);
    expect(JSON.parse(gunzipSync(gz.body).toString())).toEqual(doc);
    const br = await raw("gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(br.body).toString())).toEqual(doc);

    // A query-thread read carries the handler's, the serializer's and the wait's share.
    const answer = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("server-timing")).toMatch(
      /^handle;dur=[\d.]+, serialize;dur=[\d.]+, wait;dur=[\d.]+, (compress;dur=[\d.]+;desc="gzip", )?total;dur=[\d.]+$/,
    );
    expect(await answer.json()).toMatchObject({ nodes: [], edges: [] });
  });
});

describe("service map through the real server and the real OTLP/protobuf exporter", () => {
  it("builds typed nodes and edges from halves sent in separate exports, server half first", async () => {
    const exporter = () => createExporter("http/protobuf", server);
    const gateway = createServiceTracer("gateway", exporter());
    const orders = createServiceTracer("orders", exporter());
    const shipping = createServiceTracer("shipping", exporter());
    const nowS = Math.floor(Date.now() / 1000) - 2;
    for (let i = 0; i < 3; i++) {
      const root = gateway.span("GET /order", {
        kind: SpanKind.SERVER,
        start: [nowS, 0],
        attributes: { "http.request.method": "GET", "user_agent.original": "curl/8.5.0" },
      });
      const call = gateway.span("GET", {
        kind: SpanKind.CLIENT,
        parent: root,
        start: [nowS, 1_000_000],
        attributes: { "http.request.method": "GET", "server.address": "127.0.0.1", "server.port": 8081 },
      });
      const srv = orders.span("GET /orders/:id", {
        kind: SpanKind.SERVER,
        parent: call,
        start: [nowS, 2_000_000],
        attributes: { "http.request.method": "GET", "http.route": "/orders/:id" },
      });
      if (i === 0) srv.setStatus({ code: SpanStatusCode.ERROR });
      const q = orders.span("SELECT orders", {
        kind: SpanKind.CLIENT,
        parent: srv,
        start: [nowS, 3_000_000],
        attributes: { "db.system": "postgresql", "db.name": "orders", "net.peer.name": "db-main" },
      });
      q.end([nowS, 5_000_000]);
      const pay = orders.span("POST", {
        kind: SpanKind.CLIENT,
        parent: srv,
        start: [nowS, 6_000_000],
        attributes: { "http.request.method": "POST", "url.full": "https://api.stripe.com/v1/charges" },
      });
      pay.end([nowS, 9_000_000]);
      const prod = orders.span("order-events publish", {
        kind: SpanKind.PRODUCER,
        parent: srv,
        start: [nowS, 9_500_000],
        attributes: { "messaging.system": "kafka", "messaging.destination.name": "order-events" },
      });
      prod.end([nowS, 9_800_000]);
      srv.end([nowS, 10_000_000]);
      call.end([nowS, 11_000_000]);
      root.end([nowS, 12_000_000]);
      const cons = shipping.span("order-events process", {
        kind: SpanKind.CONSUMER,
        start: [nowS, 20_000_000],
        links: [{ context: prod.spanContext() }],
        attributes: { "messaging.system": "kafka", "messaging.destination.name": "order-events" },
      });
      cons.end([nowS, 25_000_000]);
    }
    // The callee's spans reach the server before the caller's.
    await orders.flush();
    await shipping.flush();
    await new Promise((r) => setTimeout(r, 300));
    await gateway.flush();
    await Promise.all([gateway.shutdown(), orders.shutdown(), shipping.shutdown()]);

    const from = (nowS - 60) * 1000;
    const to = (nowS + 60) * 1000;
    // With the ClickHouse store a window is paired more than once (early, again as halves arrive,
    // final) and a map's edges and completeness are two reads: one may see a commit the other
    // did not yet. Wait for a map whose parts agree; the counts below are still exact.
    const map = await eventually(
      () =>
        server
          .get<MapBody>(`/api/v1/service-map?from=${from}&to=${to}`)
          .then((m) => m.edges.length >= 6 && m.completeness.pairedCalls >= 3 && m),
      20_000,
      "service map edges",
    );
    expect(map.edges.map((e) => e.id).sort()).toEqual([
      "client:curl->service:gateway",
      "messaging:kafka/order-events->service:shipping",
      "service:gateway->service:orders",
      "service:orders->database:postgresql://db-main:5432/orders",
      "service:orders->external:api.stripe.com",
      "service:orders->messaging:kafka/order-events",
    ]);
    const edge = map.edges.find((e) => e.id === "service:gateway->service:orders")!;
    expect(edge).toMatchObject({ protocol: "http", statsSide: "server", stats: { requests: 3, errors: 1 } });
    expect(map.nodes.find((n) => n.id === "service:orders")).toMatchObject({
      kind: "service",
      health: "critical",
      stats: { requests: 3, errors: 1 },
    });
    expect(map.completeness.pairedCalls).toBe(3);

    const focused = await server.get<MapBody>(
      `/api/v1/service-map?from=${from}&to=${to}&focus=service:shipping&depth=1`,
    );
    expect(focused.nodes.map((n) => n.id).sort()).toEqual(["messaging:kafka/order-events", "service:shipping"]);

    // The summary the UI draws: the same nodes and edges with their headline fields only.
    const full = await server.get<FullMap>(`/api/v1/service-map?from=${from}&to=${to}`);
    const summary = await server.get<FullMap>(`/api/v1/service-map/summary?from=${from}&to=${to}`);
    expect(summary.nodes.map((n) => n.id)).toEqual(full.nodes.map((n) => n.id));
    expect(summary.edges.map((e) => e.id)).toEqual(full.edges.map((e) => e.id));
    expect(summary.completeness).toEqual(full.completeness);
    for (const [i, e] of summary.edges.entries()) {
      const { id, source, target, protocol, health, stats, statsSide } = full.edges[i]!;
      expect(e).toEqual({ id, source, target, protocol, health, stats, statsSide });
    }
    for (const [i, n] of summary.nodes.entries()) {
      const { detail: _d, firstSeen: _f, lastSeen: _l, ...rest } = full.nodes[i]!;
      expect(n).toEqual(rest);
    }
    expect(JSON.stringify(summary).length).toBeLessThan(JSON.stringify(full).length * 0.7);
    const focusedSummary = await server.get<FullMap>(
      `/api/v1/service-map/summary?from=${from}&to=${to}&focus=service:shipping&depth=1`,
    );
    expect(focusedSummary.nodes.map((n) => n.id).sort()).toEqual(["messaging:kafka/order-events", "service:shipping"]);

    const bad = await fetch(`${server.baseUrl}/api/v1/service-map?focus=service:orders&depth=0`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/depth/);

    const metrics = await eventually(
      () =>
        fetch(`${server.baseUrl}/metrics`)
          .then((r) => r.text())
          .then((t) => t.includes('server="orders"') && t),
      10_000,
      "service-graph metrics",
    );
    expect(metrics).toContain(
      'traces_service_graph_request_total{client="gateway",server="orders",connection_type=""} 3',
    );
    expect(metrics).toContain(
      'traces_service_graph_request_failed_total{client="gateway",server="orders",connection_type=""} 1',
    );
  });
});
