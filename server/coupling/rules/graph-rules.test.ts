import { describe, expect, it } from "vitest";
import { analyzeCoupling } from "../analyze";
import { defaultPolicy, PolicySchema, type Policy } from "../policy/schema";
import { traces, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";
import type { Span } from "../../normalize";

const byRule = (spans: Span[], rule: string, policy: Policy = defaultPolicy()) =>
  analyzeCoupling(spans, policy, NOW, WINDOW).violations.filter((v) => v.rule === rule);

describe("cyclic-dependency", () => {
  it("reports a strongly connected trio with its path", () => {
    const spans = traces(15, (t) => {
      const r = t.root("orders");
      const b = t.call(r, "billing");
      const c = t.call(b, "ledger");
      t.call(c, "orders", { route: "/orders/:id" });
    });
    const v = byRule(spans, "cyclic-dependency");
    expect(v).toHaveLength(1);
    expect(v[0]!.services).toEqual(["billing", "ledger", "orders"]);
    expect(v[0]!.severity).toBe("critical");
    expect(v[0]!.evidence.path).toEqual(["billing", "ledger", "orders", "billing"]);
    expect(v[0]!.title).toContain("→");
  });

  it("does not see a cycle that only a gateway manufactures", () => {
    const spans = traces(15, (t, i) => {
      if (i % 2 === 0) {
        const r = t.root("cart");
        const g = t.call(r, "api-gateway");
        t.call(g, "users");
      } else {
        const r = t.root("users");
        const g = t.call(r, "api-gateway");
        t.call(g, "cart");
      }
    });
    expect(byRule(spans, "cyclic-dependency")).toEqual([]);
  });

  it("ignores low-volume back edges (minimum support) and allowed callbacks", () => {
    const spans = traces(15, (t, i) => {
      const r = t.root("orders");
      const p = t.call(r, "payments");
      if (i < 2) t.call(p, "orders", { route: "/callback" });
    });
    expect(byRule(spans, "cyclic-dependency")).toEqual([]);
    const busy = traces(15, (t) => {
      const r = t.root("orders");
      const p = t.call(r, "payments");
      t.call(p, "orders", { route: "/callback" });
    });
    expect(byRule(busy, "cyclic-dependency")).toHaveLength(1);
    const policy = PolicySchema.parse({
      dependencies: { allow: [{ from: "payments", to: "orders", ignoreInCycles: true }] },
    });
    expect(byRule(busy, "cyclic-dependency", policy)).toEqual([]);
  });

  it("does not call an API and worker of one context a cycle", () => {
    const spans = traces(15, (t) => {
      const r = t.root("orders-api");
      const w = t.call(r, "orders-worker");
      t.call(w, "orders-api");
    });
    expect(byRule(spans, "cyclic-dependency")).toEqual([]);
  });
});

describe("hub-service and excessive-fan-out", () => {
  const callees = ["a", "b", "c", "d", "e", "f", "g"];
  it("flags a service with 7 distinct callees, and the one callee called by 7 services", () => {
    const spans = traces(15, (t) => {
      const r = t.root("aggregator");
      for (const c of callees) t.call(r, c);
    });
    const fan = byRule(spans, "excessive-fan-out");
    expect(fan).toHaveLength(1);
    expect(fan[0]!.services).toEqual(["aggregator"]);
    expect(fan[0]!.evidence.ads).toBe(7);
    const hubSpans = traces(15, (t) => {
      for (const c of callees) t.call(t.root(c), "catalog");
    });
    const hub = byRule(hubSpans, "hub-service");
    expect(hub).toHaveLength(1);
    expect(hub[0]!.severity).toBe("warning");
  });

  it("does not flag a gateway that looks like a hub, and keeps platform hubs as info", () => {
    const spans = traces(15, (t) => {
      const r = t.root("api-gateway");
      for (const c of callees) t.call(r, c);
    });
    expect(byRule(spans, "excessive-fan-out").filter((f) => f.severity !== "info")).toEqual([]);
    const auth = traces(15, (t) => {
      for (const c of callees) t.call(t.root(c), "auth");
    });
    const policy = PolicySchema.parse({ roles: { platform: ["auth"] } });
    const v = byRule(auth, "hub-service", policy);
    expect(v.map((f) => f.severity)).toEqual(["info"]);
  });

  it("counts callers, not calls: one chatty caller is not a hub", () => {
    const spans = traces(15, (t) => {
      const r = t.root("web");
      for (let i = 0; i < 10; i++) t.call(r, "catalog");
    });
    expect(byRule(spans, "hub-service")).toEqual([]);
  });
});

describe("forbidden-dependency", () => {
  const spans = traces(5, (t) => t.call(t.root("billing"), "orders"));
  it("reports traffic that the policy forbids, with the reason", () => {
    const policy = PolicySchema.parse({
      dependencies: { forbid: [{ from: "billing", to: "orders", reason: "billing consumes order events" }] },
    });
    const v = byRule(spans, "forbidden-dependency", policy);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain("billing consumes order events");
    expect(v[0]!.services).toEqual(["billing", "orders"]);
  });
  it("with default deny, reports only dependencies not listed as allowed", () => {
    const deny = PolicySchema.parse({ dependencies: { default: "deny", allow: [{ from: "billing", to: "orders" }] } });
    expect(byRule(spans, "forbidden-dependency", deny)).toEqual([]);
    const deny2 = PolicySchema.parse({ dependencies: { default: "deny" } });
    expect(byRule(spans, "forbidden-dependency", deny2)).toHaveLength(1);
    expect(byRule(spans, "forbidden-dependency")).toEqual([]);
  });
});
