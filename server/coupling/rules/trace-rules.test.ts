import { describe, expect, it } from "vitest";
import { analyzeCoupling } from "../analyze";
import { defaultPolicy, PolicySchema, type Policy } from "../policy/schema";
import { traces, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";
import type { Span } from "../../normalize";

const byRule = (spans: Span[], rule: string, policy: Policy = defaultPolicy()) =>
  analyzeCoupling(spans, policy, NOW, WINDOW).violations.filter((v) => v.rule === rule);

describe("chatty-communication", () => {
  it("flags N+1: eight sequential calls to one route per request", () => {
    const spans = traces(6, (t) => {
      const r = t.root("orders", "/orders", {}, 100_000);
      for (let i = 0; i < 8; i++) t.call(r, "catalog", { route: "/products/:id", at: 1000 + i * 5000, dur: 4000 });
    });
    const v = byRule(spans, "chatty-communication");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["catalog", "orders"]);
    expect(v[0]!.evidence.p50CallsPerRequest).toBe(8);
    expect(v[0]!.evidence.operation).toBe("/products/:id");
    expect(v[0]!.severity).toBe("critical");
    expect(v[0]!.resources).toEqual(["service:orders->service:catalog"]);
  });

  it("does not flag a few calls, retries, or a batch job", () => {
    const few = traces(6, (t) => {
      const r = t.root("orders");
      for (let i = 0; i < 3; i++) t.call(r, "catalog");
    });
    expect(byRule(few, "chatty-communication")).toEqual([]);
    const retries = traces(6, (t) => {
      const r = t.root("orders");
      t.call(r, "catalog");
      for (let i = 1; i < 6; i++) t.call(r, "catalog", { clientAttrs: { "http.request.resend_count": i } });
    });
    expect(byRule(retries, "chatty-communication")).toEqual([]);
    const batch = traces(6, (t) => {
      const r = t.root("nightly-export");
      for (let i = 0; i < 9; i++) t.call(r, "catalog");
    });
    expect(byRule(batch, "chatty-communication", PolicySchema.parse({ roles: { batch: ["nightly-export"] } }))).toEqual(
      [],
    );
  });
});

describe("deep-call-chain", () => {
  it("flags a five-service synchronous chain and not a gateway + three services", () => {
    const deep = traces(5, (t) => {
      let s = t.root("api-gateway");
      for (const svc of ["web", "orders", "pricing", "tax", "rates"]) s = t.call(s, svc);
    });
    const v = byRule(deep, "deep-call-chain");
    expect(v).toHaveLength(1);
    expect(v[0]!.evidence.chain).toEqual(["web", "orders", "pricing", "tax", "rates"]);
    const shallow = traces(5, (t) => {
      let s = t.root("api-gateway");
      for (const svc of ["web", "orders", "pricing"]) s = t.call(s, svc);
    });
    expect(byRule(shallow, "deep-call-chain")).toEqual([]);
  });
});

describe("gateway-bypass", () => {
  const browser = {
    "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120",
    "client.address": "203.0.113.9",
  };
  it("flags external traffic that enters at a service other than the gateway", () => {
    const spans = [
      ...traces(40, (t) => t.call(t.root("api-gateway", "/orders", browser), "orders")),
      ...traces(10, (t) => t.root("orders", "/orders", browser)),
    ];
    const v = byRule(spans, "gateway-bypass");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["orders"]);
    expect(v[0]!.evidence.calls).toBe(10);
  });

  it("treats traffic from the gateway's own client as external even on private addresses", () => {
    const lg = { "client.address": "10.0.0.7", "user_agent.original": "k6/0.49" };
    const spans = [
      ...traces(40, (t) => t.call(t.root("edge", "/orders", lg), "orders")),
      ...traces(10, (t) => t.root("orders", "/orders", lg)),
      ...traces(10, (t) => t.root("orders", "/orders/reindex", { "client.address": "10.0.3.3" })),
    ];
    const v = byRule(spans, "gateway-bypass", PolicySchema.parse({ roles: { gateway: ["edge"] } }));
    expect(v).toHaveLength(1);
    expect(v[0]!.evidence.calls).toBe(10);
  });

  it("ignores probes, internal jobs and webhook receivers", () => {
    const spans = [
      ...traces(40, (t) => t.call(t.root("api-gateway", "/orders", { "client.address": "198.51.100.1" }), "orders")),
      ...traces(20, (t) =>
        t.root("orders", "/healthz", { "user_agent.original": "kube-probe/1.29", "client.address": "10.1.1.1" }),
      ),
      ...traces(20, (t) => t.root("orders", "/internal/recompute", { "client.address": "10.1.2.2" })),
    ];
    expect(byRule(spans, "gateway-bypass")).toEqual([]);
    const hooks = [
      ...spans,
      ...traces(10, (t) => t.root("stripe-hooks", "/webhook", { "client.address": "198.51.100.1" })),
    ];
    expect(
      byRule(
        hooks,
        "gateway-bypass",
        PolicySchema.parse({ roles: { gateway: ["api-gateway"], "webhook-receiver": ["stripe-hooks"] } }),
      ),
    ).toEqual([]);
  });
});

describe("hard-coded-endpoint", () => {
  it("flags an IP-literal peer that is an instrumented service, not a localhost sidecar", () => {
    const spans = traces(5, (t) => {
      const r = t.root("orders");
      t.call(r, "billing", { clientAttrs: { "server.address": "10.2.3.4", "url.full": "http://10.2.3.4:8080/x" } });
      t.span({
        service: "orders",
        kind: "client",
        parent: r,
        attrs: { "server.address": "127.0.0.1", "server.port": 3500 },
      });
      t.call(r, "catalog", { clientAttrs: { "server.address": "catalog", "network.peer.address": "10.9.9.9" } });
    });
    const v = byRule(spans, "hard-coded-endpoint");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["billing", "orders"]);
    expect(v[0]!.evidence.ip).toBe("10.2.3.4");
  });
});

describe("shared-topic", () => {
  const consume = (svc: string, group: string, dest = "orders") =>
    traces(6, (t) =>
      t.span({
        service: svc,
        kind: "consumer",
        attrs: {
          "messaging.system": "kafka",
          "messaging.destination.name": dest,
          "messaging.consumer.group.name": group,
        },
      }),
    );
  const produce = (svc: string, dest: string) =>
    traces(6, (t) =>
      t.span({
        service: svc,
        kind: "producer",
        parent: t.root(svc),
        attrs: { "messaging.system": "kafka", "messaging.destination.name": dest },
      }),
    );
  it("flags two services in one consumer group as high", () => {
    const v = byRule([...consume("billing", "workers"), ...consume("shipping", "workers")], "shared-topic");
    expect(v).toHaveLength(1);
    expect(v[0]!.severity).toBe("critical");
    expect(v[0]!.resources).toEqual(["messaging:kafka/orders"]);
  });
  it("does not flag separate groups, one owner's replicas, or dead-letter topics", () => {
    expect(byRule([...consume("billing", "billing"), ...consume("shipping", "shipping")], "shared-topic")).toEqual([]);
    expect(byRule([...consume("billing-api", "g"), ...consume("billing-worker", "g")], "shared-topic")).toEqual([]);
    expect(
      byRule(
        [...produce("a", "orders.dlq"), ...produce("b", "orders.dlq"), ...consume("c", "c", "orders.dlq")],
        "shared-topic",
      ),
    ).toEqual([]);
  });
});
