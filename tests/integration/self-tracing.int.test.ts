import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExporter, createServiceTracer, SpanKind } from "../helpers/otel-sender";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";

/**
 * Self-observability (issue 16): with CARTOGRAPH_SELF_TRACES=self the server's own ingest
 * requests and API queries come back through its own receiver as traces of service
 * `cartograph`, readable through the API like any other service; with it off nothing is traced.
 */
interface ApiSpan {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  durationMs: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

const SENT_REQUESTS = 4;
const SPANS_PER_REQUEST = 500;

/** Sends `requests` export requests of `perRequest` spans (a frontend → checkout → db shape) with the real OTLP/HTTP exporter. */
async function sendShopTraffic(server: RunningServer, requests: number, perRequest: number): Promise<void> {
  const exporter = createExporter("http/protobuf", server);
  const shop = createServiceTracer("shop", exporter);
  for (let r = 0; r < requests; r++) {
    for (let i = 0; i < perRequest / 2; i++) {
      const root = shop.span("GET /cart", { kind: SpanKind.SERVER, attributes: { "http.request.method": "GET" } });
      shop
        .span("SELECT carts", {
          kind: SpanKind.CLIENT,
          parent: root,
          attributes: { "db.system.name": "postgresql", "server.address": "db", "db.namespace": "carts" },
        })
        .end();
      root.end();
    }
    await shop.flush(); // one export request of perRequest spans (the batch size is 512)
  }
  await shop.shutdown();
}

async function traceOf(server: RunningServer, operation: string, minSpans = 5, attr?: string): Promise<ApiSpan[]> {
  const found = await eventually(
    async () => {
      const r = await server.get<{ traces: { traceId: string }[] }>(
        `/api/v1/traces?service=cartograph&operation=${encodeURIComponent(operation)}&limit=1000` +
          (attr ? `&attr=${encodeURIComponent(attr)}` : ""),
      );
      return r.traces.length > 0 ? r.traces : null;
    },
    20_000,
    `a cartograph trace with ${operation}`,
  );
  // Writer- and query-thread spans are exported by their own thread: wait until they are in.
  return eventually(
    async () => {
      const t = await server.get<{ spans: ApiSpan[] }>(`/api/v1/traces/${found[0]!.traceId}`);
      return t.spans.length >= minSpans ? t.spans : null;
    },
    20_000,
    `the spans of ${operation}`,
  );
}

const byName = (spans: ApiSpan[], name: string): ApiSpan => {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name} in ${spans.map((x) => x.name).join(", ")}`);
  return s;
};

describe("self-tracing with CARTOGRAPH_SELF_TRACES=self", () => {
  let server: RunningServer;
  const failedExports = async () =>
    Number(
      /^cartograph_self_tracing_spans_failed_total (\d+)/m.exec(
        await (await fetch(`${server.baseUrl}/metrics`)).text(),
      )?.[1],
    );
  beforeAll(async () => {
    server = await startServer({
      env: {
        CARTOGRAPH_SELF_TRACES: "self",
        CARTOGRAPH_SELF_TRACES_RATIO: "1",
        // The SDK's standard knob (default 5 s): exports every second keep this test short.
        OTEL_BSP_SCHEDULE_DELAY: "1000",
        CARTOGRAPH_LOG_LEVEL: "debug",
        CARTOGRAPH_ALERT_INTERVAL_MS: "2000",
        CARTOGRAPH_RETENTION_INTERVAL_MS: "2000",
      },
      readyTimeoutMs: 120_000,
    });
    // The query thread takes a moment to start; until then queries run in the main thread.
    await eventually(
      async () => (await fetch(`${server.baseUrl}/api/v1/services`)).headers.get("x-cartograph-thread") === "query",
      90_000,
      "the query thread",
    );
    await sendShopTraffic(server, SENT_REQUESTS, SPANS_PER_REQUEST);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("traces an ingest request across the main and writer threads", async () => {
    const spans = await eventually(
      async () => {
        const s = await traceOf(server, "ingest traces");
        return s.some((x) => x.name === "ingest.aggregate") ? s : null;
      },
      20_000,
      "the ingest trace with its aggregation span",
    );
    const root = byName(spans, "ingest traces");
    expect(root.kind).toBe("server");
    expect(root.parentSpanId).toBeNull();
    expect(root.attributes["cartograph.items"]).toBe(SPANS_PER_REQUEST);
    expect(root.attributes["http.response.status_code"]).toBe(200);
    expect(root.resource["service.name"]).toBe("cartograph");
    expect(root.resource["cartograph.thread"]).toBe("main");
    for (const name of ["ingest.read", "ingest.acknowledge"])
      expect(byName(spans, name).parentSpanId).toBe(root.spanId);
    expect(Number(byName(spans, "ingest.read").attributes["cartograph.request.bytes"])).toBeGreaterThan(
      SPANS_PER_REQUEST * 50,
    );
    for (const name of [
      "ingest.decode",
      "ingest.normalize",
      "ingest.queue_wait",
      "ingest.commit",
      "ingest.aggregate",
    ]) {
      const s = byName(spans, name);
      expect(s.parentSpanId, name).toBe(root.spanId);
      expect(s.resource["cartograph.thread"], name).toBe("writer");
    }
    expect(byName(spans, "ingest.normalize").attributes["cartograph.items"]).toBe(SPANS_PER_REQUEST);
    expect(Number(byName(spans, "ingest.commit").attributes["cartograph.batch.items"])).toBeGreaterThanOrEqual(
      SPANS_PER_REQUEST,
    );
    // The request's time is accounted for by its parts (commit happens before the acknowledgement).
    const commit = byName(spans, "ingest.commit");
    expect(commit.durationMs).toBeLessThanOrEqual(root.durationMs);
  }, 60_000);

  it("traces a slow map query through the query thread with its read and assemble parts", async () => {
    const res = await fetch(
      `${server.baseUrl}/api/v1/service-map?source=rebuild&from=${Date.now() - 3_600_000}&to=now`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cartograph-thread")).toBe("query");
    const spans = await traceOf(server, "GET /api/v1/service-map");
    const root = byName(spans, "GET /api/v1/service-map");
    expect(root.parentSpanId).toBeNull();
    expect(root.attributes["http.route"]).toBe("/api/v1/service-map");
    expect(root.attributes["cartograph.thread"]).toBe("query");
    const handle = byName(spans, "api.handle");
    expect(handle.parentSpanId).toBe(root.spanId);
    expect(handle.resource["cartograph.thread"]).toBe("query");
    expect(byName(spans, "api.queue_wait").parentSpanId).toBe(root.spanId);
    const read = byName(spans, "query.read");
    const assemble = byName(spans, "query.assemble");
    for (const s of [byName(spans, "query.parse"), read, assemble]) expect(s.parentSpanId).toBe(handle.spanId);
    // Every stored span of the shop was read back by the rebuild (self-traces add more).
    expect(Number(read.attributes["cartograph.rows_read"])).toBeGreaterThanOrEqual(SENT_REQUESTS * SPANS_PER_REQUEST);
    expect(Number(byName(spans, "api.serialize").attributes["cartograph.response.bytes"])).toBeGreaterThan(100);
    // Where the time went: the handler's parts explain most of it.
    expect(read.durationMs + assemble.durationMs).toBeGreaterThan(handle.durationMs * 0.5);
  }, 60_000);

  it("never traces the ingest of its own traces (no feedback loop)", async () => {
    // Every traced ingest request is one the shop sent: self-trace exports are not traced.
    const count = async () => {
      const r = await server.get<{ traces: { traceId: string; rootOperation: string }[] }>(
        `/api/v1/traces?service=cartograph&operation=${encodeURIComponent("ingest traces")}&attr=cartograph.transport%3Dhttp&from=${Date.now() - 3_600_000}&to=now&limit=1000`,
      );
      return r.traces.length;
    };
    await eventually(async () => (await count()) === SENT_REQUESTS, 20_000, `${SENT_REQUESTS} traced ingest requests`);
    await new Promise((r) => setTimeout(r, 3000)); // several export intervals of every thread
    expect(await count()).toBe(SENT_REQUESTS);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^cartograph_self_tracing_enabled 1$/m);
    expect(Number(/^cartograph_self_tracing_spans_exported_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(10);
    // Spans finished before the receiver listened waited for it: no export failed, from the start on.
    expect(await failedExports()).toBe(0);
  }, 60_000);

  it("traces Zipkin ingest, alert ticks, retention runs and coupling analysis", async () => {
    const zipkin = await fetch(`${server.baseUrl}/api/v2/spans`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        {
          traceId: "5af7183fb1d4cf5f5af7183fb1d4cf5f",
          id: "6b221d5bc9e6496c",
          name: "get /pay",
          kind: "SERVER",
          timestamp: Date.now() * 1000,
          duration: 1500,
          localEndpoint: { serviceName: "payments" },
        },
      ]),
    });
    expect(zipkin.status).toBe(202);
    const ingest = await traceOf(server, "ingest traces", 5, "cartograph.transport=zipkin");
    expect(byName(ingest, "ingest traces").attributes["cartograph.items"]).toBe(1);
    expect(byName(ingest, "ingest.commit").resource["cartograph.thread"]).toBe("writer");

    const tick = await traceOf(server, "alerting.tick", 2);
    expect(byName(tick, "alerting.query").parentSpanId).toBe(byName(tick, "alerting.tick").spanId);

    const retention = await traceOf(server, "retention.run", 1);
    expect(byName(retention, "retention.run").resource["cartograph.thread"]).toBe("writer");

    expect((await fetch(`${server.baseUrl}/api/v1/violations`)).status).toBe(200);
    const coupling = await traceOf(server, "GET /api/v1/violations", 5);
    expect(Number(byName(coupling, "coupling.load").attributes["cartograph.coupling.traces"])).toBeGreaterThan(0);
    byName(coupling, "coupling.analyze");
  }, 90_000);

  it("writes the trace id of the request into its log lines", async () => {
    await fetch(`${server.baseUrl}/api/v1/services`);
    const spans = await traceOf(server, "GET /api/v1/services", 4);
    const root = byName(spans, "GET /api/v1/services");
    const traceId = (
      await server.get<{ traces: { traceId: string }[] }>(
        `/api/v1/traces?service=cartograph&operation=${encodeURIComponent("GET /api/v1/services")}`,
      )
    ).traces[0]!.traceId;
    const line = server
      .output()
      .split("\n")
      .find((l) => l.includes("api request") && l.includes(`trace_id="${traceId}"`));
    expect(line, server.output().slice(-2000)).toContain(`span_id="${root.spanId}"`);
  }, 60_000);
});

describe("self-tracing off (the default)", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { CARTOGRAPH_LOG_LEVEL: "debug" }, readyTimeoutMs: 120_000 });
    await sendShopTraffic(server, 1, 100);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("creates no span, exports nothing and logs no trace ids", async () => {
    await eventually(
      async () =>
        (await server.get<{ services: { name: string }[] }>("/api/v1/services")).services.some(
          (s) => s.name === "shop",
        ),
      15_000,
      "shop",
    );
    await server.get("/api/v1/service-map?source=rebuild");
    await new Promise((r) => setTimeout(r, 1500));
    const services = (await server.get<{ services: { name: string }[] }>("/api/v1/services")).services.map(
      (s) => s.name,
    );
    expect(services).toEqual(["shop"]);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^cartograph_self_tracing_enabled 0$/m);
    expect(metrics).toMatch(/^cartograph_self_tracing_spans_started_total 0$/m);
    expect(metrics).toMatch(/^cartograph_self_tracing_spans_exported_total 0$/m);
    expect(server.output()).toContain("api request");
    expect(server.output()).not.toContain("trace_id=");
    expect(server.output()).not.toContain("self-tracing to");
  }, 60_000);
});

describe("self-tracing to another backend (CARTOGRAPH_SELF_TRACES=<URL>)", () => {
  let backend: RunningServer;
  let traced: RunningServer;
  beforeAll(async () => {
    backend = await startServer({ readyTimeoutMs: 120_000 });
    traced = await startServer({
      env: {
        CARTOGRAPH_SELF_TRACES: `${backend.baseUrl}/v1/traces`,
        CARTOGRAPH_SELF_TRACES_RATIO: "1",
        // The standard resource variables: attributes added, the service name kept.
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=staging,team=observability",
        OTEL_SERVICE_NAME: "renamed",
      },
      readyTimeoutMs: 120_000,
    });
    await sendShopTraffic(traced, 1, 100);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([traced?.stop(), backend?.stop()]);
  });

  it("sends its traces there and keeps none of its own", async () => {
    const spans = await traceOf(backend, "ingest traces", 5);
    expect(byName(spans, "ingest traces").attributes["cartograph.items"]).toBe(100);
    expect(byName(spans, "ingest.commit").resource["cartograph.thread"]).toBe("writer");
    const names = async (s: RunningServer) =>
      (await s.get<{ services: { name: string }[] }>("/api/v1/services")).services.map((x) => x.name);
    await eventually(async () => (await names(traced)).includes("shop"), 15_000, "shop on the traced server");
    expect(await names(traced)).toEqual(["shop"]);
    expect(await names(backend)).toEqual(["cartograph"]);
    // In the environment OTEL_RESOURCE_ATTRIBUTES named, with its other attributes on the resource.
    const [own] = (await backend.get<{ services: { environment: string | null }[] }>("/api/v1/services")).services;
    expect(own!.environment).toBe("staging");
    expect(byName(spans, "ingest traces").resource["team"]).toBe("observability");
  }, 60_000);
});
