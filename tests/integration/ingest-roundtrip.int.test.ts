import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPMetricExporter as GrpcMetricExporter } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import {
  createExporter,
  createServiceTracer,
  hrToNanos,
  SpanKind,
  SpanStatusCode,
  type Transport,
} from "../helpers/otel-sender";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const transports: Transport[] = ["http/json", "http/protobuf", "grpc"];

describe.each(transports)("traces through the real %s exporter", (transport) => {
  const service = `checkout-${transport.replace(/\W/g, "-")}`;
  const nowS = Math.floor(Date.now() / 1000) - 5;
  const rootStart: [number, number] = [nowS, 123_456_789];
  const rootEnd: [number, number] = [nowS, 923_456_789]; // 800 ms
  let traceId = "";

  it("stores every span with exact nanosecond times, attributes and status", async () => {
    const t = createServiceTracer(service, createExporter(transport, server, transport !== "http/json"), {
      "service.namespace": "shop",
      "deployment.environment.name": "prod",
    });
    const root = t.span("POST /checkout", {
      kind: SpanKind.SERVER,
      start: rootStart,
      attributes: { "http.request.method": "POST", "http.route": "/checkout" },
    });
    traceId = root.spanContext().traceId;
    const db = t.span("SELECT orders", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: [nowS, 200_000_000],
      attributes: {
        "db.system.name": "postgresql",
        "db.namespace": "orders",
        "server.address": "db-main",
        "server.port": 5432,
        "db.rows": 3,
        "cache.hit": false,
        tags: ["a", "b"],
      },
    });
    db.setStatus({ code: SpanStatusCode.ERROR, message: "deadlock detected" });
    db.addEvent("exception", { "exception.message": "deadlock" }, [nowS, 300_000_000]);
    db.end([nowS, 400_000_001]);
    root.end(rootEnd);
    await t.flush();
    await t.shutdown();

    const trace = await eventually(
      () => server.get(`/api/v1/traces/${traceId}`).then((r) => r.spans.length === 2 && r),
      15_000,
      "trace stored",
    );
    const byName = Object.fromEntries(trace.spans.map((s: any) => [s.name, s]));
    expect(byName["POST /checkout"].startTimeUnixNano).toBe(hrToNanos(rootStart));
    expect(byName["POST /checkout"].endTimeUnixNano).toBe(hrToNanos(rootEnd));
    expect(byName["POST /checkout"].durationMs).toBe(800);
    expect(byName["POST /checkout"].kind).toBe("server");
    expect(byName["POST /checkout"].parentSpanId).toBeNull();
    expect(byName["POST /checkout"].service).toBe(service);
    expect(byName["POST /checkout"].resource["service.namespace"]).toBe("shop");
    const dbSpan = byName["SELECT orders"];
    expect(dbSpan.parentSpanId).toBe(byName["POST /checkout"].spanId);
    expect(dbSpan.endTimeUnixNano).toBe(hrToNanos([nowS, 400_000_001]));
    expect(dbSpan.status).toEqual({ code: "error", message: "deadlock detected" });
    expect(dbSpan.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "server.port": 5432,
      "db.rows": 3,
      "cache.hit": false,
      tags: ["a", "b"],
    });
    expect(dbSpan.events).toEqual([
      {
        name: "exception",
        timeUnixNano: hrToNanos([nowS, 300_000_000]),
        attributes: { "exception.message": "deadlock" },
      },
    ]);
  });

  it("lists the service with its served requests and finds the trace by search", async () => {
    const services = await eventually(
      () =>
        server
          .get(`/api/v1/services`)
          .then((r) => r.services.find((s: any) => s.name === service && s.requests === 1) && r.services),
      15_000,
      "service rollup",
    );
    const svc = services.find((s: any) => s.name === service);
    expect(svc).toMatchObject({ namespace: "shop", environment: "prod", requests: 1, errors: 0, health: "ok" });
    expect(Math.abs(svc.p50Ms - 800) / 800).toBeLessThanOrEqual(0.02);
    const ops = await server.get(`/api/v1/services/${service}/operations`);
    expect(ops.operations.map((o: any) => [o.name, o.kind, o.requests, o.errors])).toEqual([
      ["POST /checkout", "server", 1, 0],
      ["SELECT orders", "client", 1, 1],
    ]);
    const found = await server.get(`/api/v1/traces?service=${service}&status=error`);
    expect(found.traces).toHaveLength(1);
    expect(found.traces[0]).toMatchObject({
      traceId,
      rootService: service,
      rootOperation: "POST /checkout",
      spanCount: 2,
      errorCount: 1,
      durationMs: 800,
    });
    const byAttr = await server.get(
      `/api/v1/traces?attr=${encodeURIComponent("db.namespace=orders")}&service=${service}`,
    );
    expect(byAttr.traces.map((t: any) => t.traceId)).toEqual([traceId]);
  });
});

describe("query thread", () => {
  it("answers read-only telemetry queries off the main thread, and control-plane routes on it", async () => {
    const services = await fetch(`${server.baseUrl}/api/v1/services`);
    expect(services.status).toBe(200);
    expect(services.headers.get("x-cartograph-thread")).toBe("query");
    const bad = await fetch(`${server.baseUrl}/api/v1/service-map?depth=0`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-cartograph-thread")).toBe("query");
    const rules = await fetch(`${server.baseUrl}/api/v1/alert-rules`);
    expect(rules.headers.get("x-cartograph-thread")).toBeNull();
  });
});

describe("metrics through the real exporters", () => {
  it("lists metrics per service and queries a counter as a rate and a histogram as quantiles", async () => {
    for (const [name, exporter] of [
      ["billing-proto", new ProtoMetricExporter({ url: `${server.otlpHttpUrl}/v1/metrics` })],
      ["billing-grpc", new GrpcMetricExporter({ url: `http://${server.grpcAddress}` })],
    ] as const) {
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ "service.name": name }),
        readers: [reader],
      });
      const meter = provider.getMeter("tests");
      const counter = meter.createCounter("invoices_total");
      const hist = meter.createHistogram("invoice_duration", { unit: "ms" });
      counter.add(5, { kind: "a" });
      for (let i = 1; i <= 100; i++) hist.record(i);
      await reader.forceFlush();
      counter.add(7, { kind: "a" });
      await reader.forceFlush();
      await provider.shutdown();
      const list = await server.get(`/api/v1/metrics?service=${name}`);
      expect(list.metrics.map((m: any) => [m.name, m.type, m.monotonic, m.temporality])).toEqual([
        ["invoice_duration", "histogram", false, "cumulative"],
        ["invoices_total", "sum", true, "cumulative"],
      ]);
      expect(list.truncated).toBe(false);
      const first = await server.get(`/api/v1/metrics?service=${name}&limit=1`);
      expect(first.metrics.map((m: any) => m.name)).toEqual(["invoice_duration"]);
      expect(first.truncated).toBe(true);
      const inc = await server.get(
        `/api/v1/metrics/query?service=${name}&name=invoices_total&agg=increase&step=3600&from=${Date.now() - 3_600_000}`,
      );
      const total = inc.series[0].points.reduce((a: number, p: any) => a + (p.v ?? 0), 0);
      expect(inc.series[0].labels).toEqual({ kind: "a" });
      expect(total).toBeCloseTo(7, 5);
      const p50 = await server.get(
        `/api/v1/metrics/query?service=${name}&name=invoice_duration&agg=p50&step=3600&from=${Date.now() - 3_600_000}`,
      );
      const v = p50.series[0].points.find((p: any) => p.v !== null).v;
      expect(v).toBeGreaterThan(25);
      expect(v).toBeLessThanOrEqual(100);
    }
  });
});
