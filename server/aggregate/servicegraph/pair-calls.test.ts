import { describe, expect, it } from "vitest";
import { decodeZipkinSpans } from "../../decode";
import { normalizeZipkin, type Span } from "../../normalize";
import { buildGraphFromSpans } from "./build-graph";
import { pairCalls, type PairedCall } from "./pair-calls";
import { createSpanFactory, edgeIds } from "../../../tests/fixtures/servicegraph/span-factory";
import { createZipkinBuilder, multiHopRpc } from "../../../tests/fixtures/zipkin/traces";

/** "source->target" plus what a consumer of the records relies on. */
const view = (c: PairedCall) => ({
  edge: `${c.source.id}->${c.target.id}`,
  kind: c.targetKind,
  client: c.client?.spanId ?? null,
  server: c.server?.spanId ?? null,
  async: c.async,
  self: c.selfCall,
});

/** The records, summed per edge, are the map's edges: the map and the records cannot disagree. */
function expectSameEdgesAsMap(spans: readonly Span[], calls: readonly PairedCall[]): void {
  const fromCalls = [...new Set(calls.map((c) => `${c.source.id}->${c.target.id}`))].sort();
  expect(fromCalls).toEqual([...edgeIds(buildGraphFromSpans(spans))].sort());
}

describe("pairCalls: the graph stage's pairing, call by call", () => {
  it("pairs a synchronous RPC: the client span, the server span, both services, the client's extent", () => {
    const f = createSpanFactory();
    const root = f.server("frontend");
    const [c, s] = f.httpCall(root, "orders", { durationMs: 30, error: true });
    const spans = [root, c!, s!];
    const calls = pairCalls(spans);
    const rpc = calls.find((x) => x.target.id === "service:orders")!;
    expect(view(rpc)).toEqual({
      edge: "service:frontend->service:orders",
      kind: "service",
      client: c!.spanId,
      server: s!.spanId,
      async: false,
      self: false,
    });
    expect(rpc).toMatchObject({ callerService: "frontend", calleeService: "orders", error: true, protocol: "http" });
    expect(rpc.caller).toBe(c);
    expect([rpc.startNs, rpc.endNs]).toEqual([c!.startNs, c!.endNs]);
    // The root server span is an entry: its caller is a client node, not a service.
    const entry = calls.find((x) => x.target.id === "service:frontend")!;
    expect(entry).toMatchObject({ caller: null, client: null, callerService: null, targetKind: "service" });
    expect(entry.source.kind).toBe("client");
    expectSameEdgesAsMap(spans, calls);
  });

  it("keeps a call to another instance of the same service as a self-call (a loop edge)", () => {
    const f = createSpanFactory();
    const root = f.server("auth");
    const [c, s] = f.httpCall(root, "auth");
    const calls = pairCalls([root, c!, s!]);
    const loop = calls.find((x) => x.server === s)!;
    expect(view(loop)).toMatchObject({ edge: "service:auth->service:auth", self: true, async: false });
  });

  it("pairs an uninstrumented client: the server's parent in another service is the caller", () => {
    const f = createSpanFactory();
    const root = f.server("frontend");
    const work = f.internal("frontend", { parent: root });
    const s = f.server("orders", { parent: work });
    const calls = pairCalls([root, work, s]);
    const call = calls.find((x) => x.server === s)!;
    expect(call).toMatchObject({ caller: work, client: null, callerService: "frontend", calleeService: "orders" });
  });

  it("draws messaging through the broker's topic node, asynchronous on both hops", () => {
    const f = createSpanFactory();
    const root = f.server("orders");
    const msg = { "messaging.system": "kafka", "messaging.destination.name": "order-events" };
    const p = f.producer("orders", { parent: root, attrs: msg });
    const c = f.consumer("billing", { parent: p, attrs: { ...msg, "messaging.consumer.group.name": "billing" } });
    const spans = [root, p, c];
    const calls = pairCalls(spans).filter((x) => x.async);
    expect(calls.map(view)).toEqual([
      {
        edge: "service:orders->messaging:kafka/order-events",
        kind: "messaging",
        client: p.spanId,
        server: null,
        async: true,
        self: false,
      },
      {
        edge: "messaging:kafka/order-events->service:billing",
        kind: "service",
        client: null,
        server: c.spanId,
        async: true,
        self: false,
      },
    ]);
    // No direct orders → billing call: the dependency goes through the topic.
    expect(pairCalls(spans).some((x) => x.callerService === "orders" && x.calleeService === "billing")).toBe(false);
    expectSameEdgesAsMap(spans, pairCalls(spans));
  });

  it("pairs a producer and consumer without a destination directly, marked asynchronous", () => {
    const f = createSpanFactory();
    const root = f.server("orders");
    const p = f.producer("orders", { parent: root });
    const c = f.consumer("billing", { parent: p });
    const call = pairCalls([root, p, c]).find((x) => x.server === c)!;
    expect(view(call)).toMatchObject({ edge: "service:orders->service:billing", async: true });
  });

  it("types client-only calls: a database and an external peer become virtual callees", () => {
    const f = createSpanFactory();
    const root = f.server("orders");
    const db = f.client("orders", {
      parent: root,
      attrs: { "db.system.name": "postgresql", "db.namespace": "shop", "server.address": "db-main" },
    });
    const [ext] = f.httpCall(root, "api.stripe.com", { instrumented: false });
    const spans = [root, db, ext!];
    const calls = pairCalls(spans);
    expect(calls.filter((x) => x.targetKind !== "service").map(view)).toEqual([
      {
        edge: "service:orders->database:postgresql://db-main:5432/shop",
        kind: "database",
        client: db.spanId,
        server: null,
        async: false,
        self: false,
      },
      {
        edge: "service:orders->external:api.stripe.com",
        kind: "external",
        client: ext!.spanId,
        server: null,
        async: false,
        self: false,
      },
    ]);
    expect(calls.every((x) => x.calleeService === null || x.target.kind === "service")).toBe(true);
    expectSameEdgesAsMap(spans, calls);
  });

  it("pairs Zipkin shared spans (client and server halves under one id) into one call per hop", () => {
    const b = createZipkinBuilder(Date.UTC(2026, 10, 29, 10, 0, 0) * 1000);
    const zipkin = multiHopRpc(b, "463ac35c9f6413ad48485a3953bb6124");
    const decoded = decodeZipkinSpans(Buffer.from(JSON.stringify(zipkin)), "json");
    const spans = normalizeZipkin(decoded, {
      limits: { maxValueLength: 4096, maxDepth: 8, maxAttributes: 256 },
      stats: { truncatedValues: 0, droppedAttributes: 0 },
      nowNs: BigInt(Date.UTC(2026, 10, 29, 10, 0, 0)) * 1_000_000n,
    }).items;
    const calls = pairCalls(spans);
    const hop = calls.filter((x) => x.callerService === "frontend" && x.calleeService === "backend");
    expect(hop).toHaveLength(1);
    expect(hop[0]!.client!.kind).toBe(3);
    expect(hop[0]!.server!.kind).toBe(2);
    expect(hop[0]!.server!.parentSpanId).toBe(hop[0]!.client!.spanId);
    expect(calls.some((x) => x.selfCall && x.calleeService === "auth")).toBe(true);
    expectSameEdgesAsMap(spans, calls);
  });

  it("returns records in the input order of their defining span, whatever the arrival order of halves", () => {
    const f = createSpanFactory();
    const root = f.server("a");
    const [c1, s1] = f.httpCall(root, "b");
    const [c2, s2] = f.httpCall(root, "c");
    const forward = pairCalls([root, c1!, s1!, c2!, s2!]).map((x) => x.server?.spanId);
    const serversFirst = pairCalls([s2!, s1!, root, c2!, c1!]).map((x) => x.server?.spanId);
    expect(forward).toEqual([root.spanId, s1!.spanId, s2!.spanId]);
    expect(serversFirst).toEqual([s2!.spanId, s1!.spanId, root.spanId]);
  });
});
