import { describe, expect, it } from "vitest";
import { buildGraphFromSpans } from "./build-graph";
import type { Span } from "../../normalize";
import { createSpanFactory, edgeIds, nodeIds } from "../../../tests/fixtures/servicegraph/span-factory";

const pg = (ns: string, host: string, extra: Record<string, string | number> = {}) => ({
  "db.system.name": "postgresql",
  "db.namespace": ns,
  "server.address": host,
  ...extra,
});

describe("buildGraphFromSpans: typed topologies", () => {
  it("gives two services on localhost sidecars two database nodes, not one", () => {
    const f = createSpanFactory();
    const a = f.server("orders");
    const b = f.server("billing", { trace: f.newTrace() });
    const spans = [
      a,
      b,
      f.client("orders", { parent: a, attrs: pg("shop", "localhost") }),
      f.client("billing", { parent: b, attrs: pg("shop", "127.0.0.1") }),
    ];
    const map = buildGraphFromSpans(spans);
    const dbs = map.nodes.filter((n) => n.kind === "database");
    expect(dbs.map((d) => d.id).sort()).toEqual([
      "database:postgresql://127.0.0.1:5432/shop?via=billing",
      "database:postgresql://localhost:5432/shop?via=orders",
    ]);
    expect(edgeIds(map)).toContain("service:orders->database:postgresql://localhost:5432/shop?via=orders");
  });

  it("merges two services calling one remote database into one node with two callers", () => {
    const f = createSpanFactory();
    const a = f.server("orders");
    const b = f.server("billing", { trace: f.newTrace() });
    const map = buildGraphFromSpans([
      a,
      b,
      f.client("orders", { parent: a, attrs: pg("shop|public", "db-main", { "db.collection.name": "orders" }) }),
      f.client("billing", {
        parent: b,
        attrs: {
          "db.system": "postgresql",
          "db.name": "shop",
          "net.peer.name": "DB-Main.",
          "net.peer.port": 5432,
          "db.sql.table": "invoices",
        },
      }),
    ]);
    const db = map.nodes.find((n) => n.kind === "database")!;
    expect(map.nodes.filter((n) => n.kind === "database")).toHaveLength(1);
    expect(db).toMatchObject({
      id: "database:postgresql://db-main:5432/shop",
      name: "shop",
      system: "postgresql",
      host: "db-main",
      port: 5432,
      database: "shop",
    });
    expect(db.detail?.schemas).toEqual(["public"]);
    expect(db.detail?.tables?.sort()).toEqual(["invoices", "orders"]);
    expect(
      map.edges
        .filter((e) => e.target === db.id)
        .map((e) => e.source)
        .sort(),
    ).toEqual(["service:billing", "service:orders"]);
  });

  it("splits one server's several logical databases, and a proxy's databases, into separate nodes", () => {
    const f = createSpanFactory();
    const a = f.server("catalog");
    const map = buildGraphFromSpans([
      a,
      f.client("catalog", { parent: a, attrs: pg("products", "db-main") }),
      f.client("catalog", { parent: a, attrs: pg("reviews", "db-main") }),
      f.client("catalog", {
        parent: a,
        attrs: { "db.system": "postgresql", "db.name": "users", "server.address": "pgbouncer", "server.port": 6432 },
      }),
      f.client("catalog", {
        parent: a,
        attrs: { "db.system": "postgresql", "db.name": "audit", "server.address": "pgbouncer", "server.port": 6432 },
      }),
    ]);
    expect(nodeIds(map).filter((id) => id.startsWith("database:"))).toEqual([
      "database:postgresql://db-main:5432/products",
      "database:postgresql://db-main:5432/reviews",
      "database:postgresql://pgbouncer:6432/audit",
      "database:postgresql://pgbouncer:6432/users",
    ]);
  });

  it("draws an instrumented proxy as a service between the caller and its databases", () => {
    const f = createSpanFactory();
    const a = f.server("app");
    const call = f.client("app", { parent: a, attrs: pg("orders", "db-proxy") });
    const proxy = f.server("db-proxy", { parent: call });
    const map = buildGraphFromSpans([
      a,
      call,
      proxy,
      f.client("db-proxy", { parent: proxy, attrs: pg("orders", "pg-1") }),
      f.client("db-proxy", { parent: proxy, attrs: pg("orders", "pg-2") }),
    ]);
    expect(edgeIds(map)).toEqual([
      "client:user->service:app",
      "service:app->service:db-proxy",
      "service:db-proxy->database:postgresql://pg-1:5432/orders",
      "service:db-proxy->database:postgresql://pg-2:5432/orders",
    ]);
    expect(map.edges.find((e) => e.id === "service:app->service:db-proxy")?.protocol).toBe("db");
  });

  it("prefers a DNS name over an IP and never keys on network.peer.address", () => {
    const f = createSpanFactory();
    const a = f.server("svc");
    const map = buildGraphFromSpans([
      a,
      f.client("svc", {
        parent: a,
        attrs: { "db.system": "mysql", "db.name": "crm", "server.address": "10.1.2.3", "net.peer.name": "crm-db" },
      }),
      f.client("svc", {
        parent: a,
        attrs: { "db.system": "redis", "network.peer.address": "10.9.9.9", "server.address": "cache" },
      }),
    ]);
    expect(nodeIds(map)).toContain("database:mysql://crm-db:3306/crm");
    expect(nodeIds(map)).toContain("database:redis://cache:6379/");
    expect(nodeIds(map).join()).not.toContain("10.9.9.9");
  });

  it("merges old and new HTTP attribute generations on one fleet into one external node", () => {
    const f = createSpanFactory();
    const a = f.server("legacy-svc");
    const b = f.server("modern-svc", { trace: f.newTrace() });
    const map = buildGraphFromSpans([
      a,
      b,
      f.client("legacy-svc", {
        parent: a,
        attrs: {
          "http.method": "GET",
          "http.url": "https://API.GitHub.com:443/repos",
          "net.peer.name": "api.github.com",
        },
      }),
      f.client("modern-svc", {
        parent: b,
        attrs: {
          "http.request.method": "GET",
          "url.full": "https://api.github.com/users",
          "server.address": "api.github.com",
          "server.port": 443,
        },
      }),
    ]);
    expect(map.nodes.filter((n) => n.kind === "external").map((n) => n.id)).toEqual(["external:api.github.com"]);
    expect(map.edges.filter((e) => e.target === "external:api.github.com").map((e) => e.protocol)).toEqual([
      "http",
      "http",
    ]);
  });

  it("draws nested client spans (SDK client over an HTTP library) as one call, without a phantom external node", () => {
    const f = createSpanFactory();
    const a = f.server("web");
    const outer = f.client("web", {
      parent: a,
      attrs: { "rpc.system": "grpc", "rpc.service": "cart.Cart", "server.address": "cart" },
    });
    const inner = f.client("web", {
      parent: outer,
      attrs: { "http.request.method": "POST", "server.address": "cart", "server.port": 50051 },
    });
    const srv = f.server("cart", { parent: inner });
    const nested = f.server("cart", { parent: srv });
    const map = buildGraphFromSpans([a, outer, inner, srv, nested]);
    expect(edgeIds(map)).toEqual(["client:user->service:web", "service:web->service:cart"]);
    expect(map.completeness).toMatchObject({ pairedCalls: 1, unpairedServerSpans: 0, virtualCalls: 0 });
  });

  it("pairs a client whose server answered as a service edge even when it carries server.address 127.0.0.1", () => {
    const f = createSpanFactory();
    const a = f.server("gateway");
    const c = f.client("gateway", {
      parent: a,
      attrs: { "http.request.method": "GET", "server.address": "127.0.0.1", "server.port": 8081 },
    });
    const s = f.server("users", { parent: c, durationMs: 7 });
    const map = buildGraphFromSpans([a, c, s]);
    expect(edgeIds(map)).toEqual(["client:user->service:gateway", "service:gateway->service:users"]);
    const edge = map.edges.find((e) => e.id === "service:gateway->service:users")!;
    expect(edge).toMatchObject({ protocol: "http", statsSide: "server" });
    expect(edge.serverStats!.p50Ms).toBeCloseTo(7, 0);
    expect(edge.clientStats!.p50Ms).toBeCloseTo(10, 0);
    expect(map.completeness.pairedCalls).toBe(1);
  });

  it("names uninstrumented peers and root callers, and keeps INTERNAL-only services", () => {
    const f = createSpanFactory();
    const a = f.server("shop", { attrs: { "user_agent.original": "curl/8.5.0" } });
    const b = f.server("shop", { trace: f.newTrace() });
    const spans = [
      a,
      b,
      ...f.httpCall(a, "stripe", { host: "api.stripe.com", instrumented: false }),
      f.client("shop", { parent: b, attrs: { "peer.service": "legacy-billing", "rpc.system": "grpc" } }),
      f.internal("cron-worker", { trace: f.newTrace() }),
    ];
    const map = buildGraphFromSpans(spans);
    expect(edgeIds(map)).toEqual([
      "client:curl->service:shop",
      "client:user->service:shop",
      "service:shop->external:api.stripe.com",
      "service:shop->external:legacy-billing",
    ]);
    expect(map.nodes.find((n) => n.id === "service:cron-worker")).toMatchObject({
      kind: "service",
      health: "ok",
      stats: { requests: 0, p95Ms: null },
    });
    expect(map.edges.find((e) => e.target === "external:legacy-billing")?.protocol).toBe("grpc");
    expect(map.edges.find((e) => e.target === "external:api.stripe.com")).toMatchObject({
      statsSide: "client",
      serverStats: null,
    });
  });

  it("draws producer → topic → consumer when the consumer starts its own trace with a span link", () => {
    const f = createSpanFactory();
    const root = f.server("orders");
    const prod = f.producer("orders", {
      parent: root,
      attrs: { "messaging.system": "kafka", "messaging.destination.name": "order-events" },
    });
    const cons = f.consumer("shipping", {
      trace: f.newTrace(),
      links: [{ traceId: prod.traceId, spanId: prod.spanId }],
      attrs: {
        "messaging.system": "kafka",
        "messaging.destination": "order-events",
        "messaging.kafka.consumer.group": "shippers",
      },
    });
    const map = buildGraphFromSpans([root, prod, cons]);
    expect(edgeIds(map)).toEqual([
      "client:user->service:orders",
      "messaging:kafka/order-events->service:shipping",
      "service:orders->messaging:kafka/order-events",
    ]);
    expect(map.nodes.find((n) => n.kind === "messaging")).toMatchObject({ name: "order-events", system: "kafka" });
    expect(map.edges.every((e) => !e.id.includes("service:orders->service:shipping"))).toBe(true);
  });

  it("counts pg.connect spans as connections, not as query calls", () => {
    const f = createSpanFactory();
    const a = f.server("api");
    const map = buildGraphFromSpans([
      a,
      f.client("api", { parent: a, name: "pg-pool.connect", attrs: pg("app", "db") }),
      f.client("api", { parent: a, name: "pg.connect", attrs: pg("app", "db") }),
      f.client("api", { parent: a, name: "SELECT app.users", attrs: pg("app", "db") }),
    ]);
    const edge = map.edges.find((e) => e.target === "database:postgresql://db:5432/app")!;
    expect(edge.stats.requests).toBe(1);
    expect(edge.connects).toBe(2);
  });

  it("computes health and focus neighbourhoods", () => {
    const f = createSpanFactory();
    const spans: Span[] = [];
    for (let i = 0; i < 20; i++) {
      const root = f.server("front", { trace: f.newTrace() });
      spans.push(root, ...f.httpCall(root, "mid", { error: i === 0 }));
      const mid: Span = spans[spans.length - 1]!;
      spans.push(...f.httpCall(mid, "leaf"));
    }
    const map = buildGraphFromSpans(spans, { fromMs: f.baseMs, toMs: f.baseMs + 60_000 });
    const mid = map.nodes.find((n) => n.id === "service:mid")!;
    expect(mid.stats).toMatchObject({ requests: 20, errors: 1, errorRate: 0.05 });
    expect(mid.health).toBe("critical");
    expect(map.nodes.find((n) => n.id === "service:leaf")!.health).toBe("ok");
    const focused = buildGraphFromSpans(spans, { focus: "service:leaf", depth: 1 });
    expect(nodeIds(focused)).toEqual(["service:leaf", "service:mid"]);
    expect(buildGraphFromSpans(spans, { focus: "service:nope" }).nodes).toEqual([]);
  });
});

describe("buildGraphFromSpans: self-calls (OTLP)", () => {
  it("draws a call from a service to another instance of itself as a loop edge with its RED", () => {
    const f = createSpanFactory();
    const root = f.server("auth");
    const spans: Span[] = [root];
    let parent = root;
    for (let i = 0; i < 4; i++) {
      const [c, s] = f.httpCall(parent, "auth", { error: i === 0, durationMs: 30 });
      spans.push(c!, s!);
      parent = s!;
    }
    const map = buildGraphFromSpans(spans);
    const loop = map.edges.find((e) => e.id === "service:auth->service:auth")!;
    expect(loop).toBeDefined();
    expect(loop.stats.requests).toBe(4);
    expect(loop.stats.errors).toBe(1);
    expect(loop.statsSide).toBe("server");
    expect(loop.stats.p50Ms).toBeGreaterThan(20);
    expect(map.completeness.pairedCalls).toBe(4);
  });
});
