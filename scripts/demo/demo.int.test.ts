// Integration test of the demo fleet: real processes, real OTel SDK exporters, decoded by an
// in-test OTLP/HTTP protobuf receiver. Checks that the telemetry has the shape the service
// graph and the coupling rules rely on, and that it matches EXPECTED_TOPOLOGY.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDemoFleet, type DemoFleetHandle } from "./fleet";
import { EXPECTED_TOPOLOGY, SERVICE_NAMES } from "./expected-topology";
import { PAYMENTS_ERROR_BURST } from "./fault-schedule";
import { SPAN_KIND, startOtlpTestReceiver, type OtlpTestReceiver, type ReceivedSpan } from "./otlp-test-receiver";

const RUN_MS = 20_000;

let receiver: OtlpTestReceiver;
let fleet: DemoFleetHandle;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Edges as a pairing service graph derives them (client span id = server parent id). */
function deriveEdges(spans: ReceivedSpan[]): Set<string> {
  const edges = new Set<string>();
  const byId = new Map(spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const producers = new Map(
    spans.filter((s) => s.kind === SPAN_KIND.PRODUCER).map((s) => [`${s.traceId}/${s.spanId}`, s]),
  );
  for (const span of spans) {
    const a = span.attributes;
    const parent = byId.get(`${span.traceId}/${span.parentSpanId}`);
    if (span.kind === SPAN_KIND.SERVER && parent?.kind === SPAN_KIND.CLIENT && parent.service !== span.service) {
      edges.add(`service:${parent.service}->service:${span.service}`);
    }
    const system = a["db.system.name"] ?? a["db.system"];
    if (span.kind === SPAN_KIND.CLIENT && system) {
      const host = a["server.address"] ?? a["net.peer.name"];
      const port = a["server.port"] ?? a["net.peer.port"];
      const db = a["db.namespace"] ?? a["db.name"];
      edges.add(`service:${span.service}->database:${system}://${host}:${port}/${db}`);
    }
    if (span.kind === SPAN_KIND.CLIENT && a["server.address"] === "api.stripe.example") {
      edges.add(`service:${span.service}->external:api.stripe.example`);
    }
    if (span.kind === SPAN_KIND.PRODUCER) {
      edges.add(`service:${span.service}->messaging:${a["messaging.system"]}/${a["messaging.destination.name"]}`);
    }
    if (span.kind === SPAN_KIND.CONSUMER && span.links.some((l) => producers.has(`${l.traceId}/${l.spanId}`))) {
      edges.add(`messaging:${a["messaging.system"]}/${a["messaging.destination.name"]}->service:${span.service}`);
    }
  }
  return edges;
}

beforeAll(async () => {
  receiver = await startOtlpTestReceiver();
  // The payments error burst opens 60 s after the services are spawned and stays open 30 s:
  // late enough that the fleet is serving by then (starting 13 processes takes 10-60 s), so
  // failed requests (and their error lines) occur within the bounded run below.
  fleet = await runDemoFleet({
    endpoint: receiver.endpoint,
    rps: 3,
    childOutput: "ignore",
    log: () => undefined,
    incidentClockShiftMs: PAYMENTS_ERROR_BURST.offsetMs - 60_000,
  });
  // Run RUN_MS, then on until a failed request's error line has arrived, bounded by the next
  // burst (the window recurs every periodMs): on a busy machine the fleet may start serving only
  // after the first window closed.
  const started = Date.now();
  const hasErrorLine = () => receiver.logs.some((l) => l.severityNumber >= 17);
  const lastChanceMs = 60_000 + PAYMENTS_ERROR_BURST.periodMs + PAYMENTS_ERROR_BURST.durationMs;
  while (Date.now() - started < RUN_MS || (!hasErrorLine() && Date.now() - started < lastChanceMs)) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await fleet.stop();
}, 420_000);

afterAll(async () => {
  await fleet?.stop();
  await receiver?.close();
});

describe("demo fleet", () => {
  it("writes log lines with trace context: info per request, errors with multi-line stack traces", () => {
    const bySeverity = (min: number, max: number) =>
      receiver.logs.filter((l) => l.severityNumber >= min && l.severityNumber <= max);
    expect(bySeverity(9, 12).length).toBeGreaterThan(0);
    const errors = bySeverity(17, 20);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((l) => l.body.split("\n").length > 2 && /\n\s+at /.test(l.body))).toBe(true);
    const spanIds = new Set(receiver.spans.map((s) => `${s.traceId}/${s.spanId}`));
    expect(errors.every((l) => spanIds.has(`${l.traceId}/${l.spanId}`))).toBe(true);
    expect(new Set(receiver.logs.map((l) => l.service)).size).toBeGreaterThan(3);
  });

  it("runs every service as its own process and leaves none behind", () => {
    expect(fleet.services.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    expect(new Set(fleet.services.map((s) => s.pid)).size).toBe(SERVICE_NAMES.length);
    expect(fleet.services.filter((s) => isAlive(s.pid))).toEqual([]);
  });

  it("exports spans from every service with the required resource attributes", () => {
    for (const name of SERVICE_NAMES) {
      const span = receiver.spans.find((s) => s.service === name);
      expect(span, `no span from ${name}`).toBeDefined();
      expect(span!.resource["service.namespace"]).toBe("shop");
      expect(span!.resource["deployment.environment.name"]).toBe("demo");
      expect(String(span!.resource["service.instance.id"])).toMatch(new RegExp(`^${name}-`));
    }
  });

  it("exports app metrics from every service", () => {
    expect([...(receiver.metrics.get("shop.requests") ?? [])].sort()).toEqual([...SERVICE_NAMES].sort());
    expect(receiver.metrics.get("shop.request.duration")?.size).toBe(SERVICE_NAMES.length);
    expect(receiver.metrics.has("http.server.request.duration")).toBe(true);
  });

  it("pairs the gRPC hop: checkout CLIENT span is the parent of the payments SERVER span", () => {
    const servers = receiver.spans.filter((s) => s.service === "payments" && s.kind === SPAN_KIND.SERVER);
    expect(servers.length).toBeGreaterThan(0);
    // A call in flight when the fleet stops can leave a server span whose client span (it ends
    // later) was never exported: at most a couple; every parent that did arrive must match.
    let unpaired = 0;
    for (const server of servers) {
      expect(server.attributes["rpc.system"]).toBe("grpc");
      const client = receiver.spans.find((s) => s.traceId === server.traceId && s.spanId === server.parentSpanId);
      if (!client) {
        unpaired++;
        continue;
      }
      expect(client.service).toBe("checkout");
      expect(client.kind).toBe(SPAN_KIND.CLIENT);
    }
    expect(unpaired).toBeLessThanOrEqual(2);
    expect(servers.length - unpaired).toBeGreaterThan(0);
  });

  it("starts a new trace per consumer, linked to the producer span", () => {
    const producers = receiver.spans.filter((s) => s.kind === SPAN_KIND.PRODUCER);
    const consumers = receiver.spans.filter((s) => s.kind === SPAN_KIND.CONSUMER);
    expect(producers.length).toBeGreaterThan(0);
    expect(new Set(consumers.map((s) => s.service))).toEqual(new Set(["fulfillment", "notifications"]));
    for (const consumer of consumers) {
      expect(consumer.parentSpanId).toBe("");
      expect(consumer.attributes["messaging.consumer.group.name"]).toBe(consumer.service);
      const [link] = consumer.links;
      const producer = producers.find((p) => p.traceId === link?.traceId && p.spanId === link?.spanId);
      expect(producer?.service).toBe("checkout");
      expect(consumer.traceId).not.toBe(producer!.traceId);
    }
  });

  it("emits both semantic-convention generations for databases", () => {
    const stable = receiver.spans.filter((s) => s.attributes["db.system.name"] !== undefined);
    const legacy = receiver.spans.filter((s) => s.attributes["db.system"] !== undefined);
    expect(stable.length).toBeGreaterThan(0);
    expect(new Set(legacy.map((s) => s.service))).toEqual(new Set(EXPECTED_TOPOLOGY.legacyConventionServices));
    for (const span of legacy) {
      expect(span.attributes).toMatchObject({
        "db.name": "orders",
        "net.peer.name": "orders-db",
        "net.peer.port": 5432,
      });
      expect(span.attributes["db.statement"]).toBeTypeOf("string");
      expect(span.attributes["db.system.name"]).toBeUndefined();
    }
  });

  it("yields exactly the expected edges", () => {
    const expected = EXPECTED_TOPOLOGY.edges.map((e) => e.id).sort();
    expect([...deriveEdges(receiver.spans)].sort()).toEqual(expected);
  });

  it("has root SERVER spans only in accounts, from a browser (the gateway bypass)", () => {
    const roots = receiver.spans.filter((s) => s.kind === SPAN_KIND.SERVER && s.parentSpanId === "");
    expect(roots.length).toBeGreaterThan(0);
    expect(new Set(roots.map((s) => s.service))).toEqual(new Set(["accounts"]));
    for (const root of roots) expect(String(root.attributes["user_agent.original"])).toMatch(/^Mozilla\/5\.0/);
  });

  it("makes the cart view call catalog 10 to 30 times sequentially", () => {
    const cartViews = receiver.spans.filter((s) => s.service === "cart" && s.name === "GET /carts/:userId");
    expect(cartViews.length).toBeGreaterThan(0);
    for (const view of cartViews) {
      const calls = receiver.spans.filter(
        (s) =>
          s.traceId === view.traceId &&
          s.parentSpanId === view.spanId &&
          s.kind === SPAN_KIND.CLIENT &&
          s.attributes["url.full"],
      );
      expect(calls.length).toBeGreaterThanOrEqual(10);
      expect(calls.length).toBeLessThanOrEqual(30);
    }
  });
});
