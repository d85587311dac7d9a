import { describe, expect, it } from "vitest";
import { analyzeCoupling } from "../analyze";
import { buildCouplingModel } from "./build-model";
import { buildDependencyGraph } from "../graph/dependency-graph";
import { defaultPolicy } from "../policy/schema";
import { buildGraphFromSpans } from "../../aggregate/servicegraph";
import { traces, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";

const kafka = { "messaging.system": "kafka", "messaging.destination.name": "orders" };

/** A fleet with sync calls, a self-call, messaging through a topic, a database and an external peer. */
const fleet = () =>
  traces(20, (t) => {
    const r = t.root("frontend");
    const o = t.call(r, "orders");
    t.call(o, "orders", { route: "/orders/cache" });
    const p = t.call(o, "payments");
    t.span({ service: "payments", kind: "client", parent: p, attrs: { "server.address": "api.stripe.com" } });
    t.db(o, { "db.system.name": "postgresql", "server.address": "db", "db.namespace": "shop" });
    const prod = t.span({ service: "orders", kind: "producer", parent: o, attrs: kafka });
    t.span({ service: "billing", kind: "consumer", parent: prod, attrs: kafka });
  });

describe("the coupling model reads the service graph's pairing", () => {
  it("its dependency edges are the map's service-to-service edges minus self-calls and messaging", () => {
    const spans = fleet();
    const m = buildCouplingModel(spans, defaultPolicy(), WINDOW);
    const deps = buildDependencyGraph(m, defaultPolicy()).edges.map((e) => `service:${e.from}->service:${e.to}`);
    const map = buildGraphFromSpans(spans);
    const env = (id: string) => id.replace(/\?env=prod/g, "");
    const mapSync = map.edges
      .filter((e) => e.source.startsWith("service:") && e.target.startsWith("service:") && e.source !== e.target)
      .map((e) => env(`${e.source}->${e.target}`));
    expect(deps.sort()).toEqual(["service:frontend->service:orders", "service:orders->service:payments"]);
    expect(mapSync.sort()).toEqual(deps.sort());
    // The self-call and the topic hops are calls of the model, just not dependencies.
    expect(m.calls.some((c) => c.selfCall && c.calleeService === "orders")).toBe(true);
    expect(m.calls.filter((c) => c.targetKind === "messaging" || c.source.kind === "messaging")).toHaveLength(40);
    expect(m.calls.filter((c) => c.targetKind === "database")).toHaveLength(20);
    expect(m.calls.filter((c) => c.targetKind === "external")).toHaveLength(20);
  });

  it("counts a consumer's uninstrumented call to a service as a dependency, as the map draws it", () => {
    const spans = traces(20, (t) => {
      const c = t.span({ service: "billing", kind: "consumer", attrs: kafka });
      t.span({ service: "ledger", kind: "server", parent: c, attrs: { "http.route": "/entries" } });
    });
    const m = buildCouplingModel(spans, defaultPolicy(), WINDOW);
    expect(buildDependencyGraph(m, defaultPolicy()).edges.map((e) => `${e.from}->${e.to}`)).toEqual([
      "billing->ledger",
    ]);
  });

  it("does not count a server under a producer as a synchronous hop of a call chain", () => {
    // frontend → a → b → c, then c produces to d (no destination: paired directly, asynchronous).
    const spans = traces(10, (t) => {
      const r = t.root("frontend");
      const c = t.call(t.call(t.call(r, "a"), "b"), "c");
      const p = t.span({ service: "c", kind: "producer", parent: c });
      t.span({ service: "d", kind: "server", parent: p });
    });
    const chains = analyzeCoupling(spans, defaultPolicy(), NOW, WINDOW).violations.filter(
      (v) => v.rule === "deep-call-chain",
    );
    expect(chains).toEqual([]);
    // One more synchronous hop reaches the default minimum of 4 hops.
    const deeper = traces(10, (t) => {
      const r = t.root("frontend");
      t.call(t.call(t.call(t.call(r, "a"), "b"), "c"), "d");
    });
    const found = analyzeCoupling(deeper, defaultPolicy(), NOW, WINDOW).violations.filter(
      (v) => v.rule === "deep-call-chain",
    );
    expect(found.map((v) => v.evidence.chain)).toEqual([["frontend", "a", "b", "c", "d"]]);
  });
});
