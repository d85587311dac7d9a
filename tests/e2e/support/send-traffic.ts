/**
 * Sends traces to a Cartograph through the real OpenTelemetry JS SDK and OTLP/protobuf
 * exporter, exactly as an instrumented service would. Times are explicit, so a few hundred
 * traces spread over the last minutes are sent in well under a second.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";

export const HOSTILE_NAME = "<img src=x onerror=alert(1)>";

interface Fleet {
  tracer(service: string): Tracer;
  shutdown(): Promise<void>;
}

/** One tracer provider (own resource) per service, all exporting to `endpoint` (…/v1/traces). */
export function createFleet(endpoint: string, attrs: (service: string) => Record<string, string> = () => ({})): Fleet {
  const providers = new Map<string, BasicTracerProvider>();
  return {
    tracer(service) {
      let p = providers.get(service);
      if (!p) {
        p = new BasicTracerProvider({
          resource: resourceFromAttributes({ "service.name": service, ...attrs(service) }),
          spanProcessors: [
            new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }), {
              maxExportBatchSize: 512,
              scheduledDelayMillis: 200,
            }),
          ],
        });
        providers.set(service, p);
      }
      return p.getTracer("cartograph-e2e");
    },
    async shutdown() {
      for (const p of providers.values()) await p.forceFlush();
      await Promise.all([...providers.values()].map((p) => p.shutdown()));
    },
  };
}

function child(
  tracer: Tracer,
  parent: Span,
  name: string,
  kind: SpanKind,
  start: number,
  end: number,
  attributes: Record<string, string | number> = {},
  error = false,
): Span {
  const s = tracer.startSpan(name, { kind, startTime: start, attributes }, trace.setSpan(ROOT_CONTEXT, parent));
  if (error) s.setStatus({ code: SpanStatusCode.ERROR, message: "boom" });
  s.end(end);
  return s;
}

export interface ShopTrafficResult {
  traces: number;
  errors: number;
  services: string[];
  /** service → requests it served (SERVER spans). */
  served: Record<string, number>;
}

/**
 * A small shop: frontend → checkout (gRPC-ish HTTP) → payments, checkout → PostgreSQL "orders".
 * Every 5th checkout call fails. One frontend operation carries a hostile span name.
 */
export async function sendShopTraffic(
  endpoint: string,
  opts: { traces?: number; spreadMs?: number } = {},
): Promise<ShopTrafficResult> {
  const n = opts.traces ?? 40;
  const spread = opts.spreadMs ?? 4 * 60_000;
  const fleet = createFleet(endpoint, (s) => ({
    "service.namespace": s === "frontend" ? "web" : "shop",
    "deployment.environment.name": "prod",
  }));
  const fe = fleet.tracer("frontend");
  const co = fleet.tracer("checkout");
  const pay = fleet.tracer("payments");
  const now = Date.now();
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const t0 = now - spread + Math.floor((i / n) * spread);
    const fail = i % 5 === 0;
    if (fail) errors++;
    const root = fe.startSpan(i === 1 ? HOSTILE_NAME : "GET /checkout", {
      kind: SpanKind.SERVER,
      startTime: t0,
      attributes: {
        "http.request.method": "GET",
        "http.route": "/checkout",
        "http.response.status_code": fail ? 500 : 200,
      },
    });
    if (fail) root.setStatus({ code: SpanStatusCode.ERROR });
    root.addEvent("cart loaded", { items: 3 }, t0 + 1);
    const call = child(
      fe,
      root,
      "POST",
      SpanKind.CLIENT,
      t0 + 2,
      t0 + 60,
      { "server.address": "checkout", "server.port": 8080, "http.request.method": "POST" },
      fail,
    );
    const srv = co.startSpan(
      "POST /checkout",
      { kind: SpanKind.SERVER, startTime: t0 + 4, attributes: { "http.route": "/checkout" } },
      trace.setSpan(ROOT_CONTEXT, call),
    );
    child(co, srv, "SELECT orders", SpanKind.CLIENT, t0 + 6, t0 + 18, {
      "db.system.name": "postgresql",
      "db.namespace": "orders",
      "server.address": "db-main",
      "server.port": 5432,
      "db.query.text": "SELECT * FROM orders WHERE id = $1",
    });
    const payCall = child(
      co,
      srv,
      "POST",
      SpanKind.CLIENT,
      t0 + 20,
      t0 + 55,
      { "server.address": "payments", "server.port": 8081 },
      fail,
    );
    const paySrv = pay.startSpan(
      "POST /charge",
      { kind: SpanKind.SERVER, startTime: t0 + 22 },
      trace.setSpan(ROOT_CONTEXT, payCall),
    );
    if (fail) paySrv.setStatus({ code: SpanStatusCode.ERROR, message: "card declined" });
    paySrv.end(t0 + 53);
    if (fail) srv.setStatus({ code: SpanStatusCode.ERROR });
    srv.end(t0 + 58);
    root.end(t0 + 65);
  }
  await fleet.shutdown();
  return {
    traces: n,
    errors,
    services: ["checkout", "frontend", "payments"],
    served: { frontend: n, checkout: n, payments: n },
  };
}

/**
 * A synthetic fleet for scale checks: `services` services in layers, `edges` distinct
 * service→service edges (each sampled by `callsPerEdge` traces). Returns the edge count sent.
 */
export async function sendSyntheticFleet(
  endpoint: string,
  opts: { services: number; edges: number; callsPerEdge?: number },
): Promise<{ services: number; edges: number }> {
  const names = Array.from({ length: opts.services }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
  const layers = 6;
  const layerOf = (i: number) => Math.floor((i * layers) / names.length);
  const pairs = new Set<string>();
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < names.length && pairs.size < opts.edges; i++) {
    // every service but the first layer gets at least one caller from the layer above
    if (layerOf(i) === 0) continue;
    const candidates = names.map((_, j) => j).filter((j) => layerOf(j) === layerOf(i) - 1);
    pairs.add(`${candidates[Math.floor(rand() * candidates.length)]}>${i}`);
  }
  let guard = 0;
  while (pairs.size < opts.edges && guard++ < opts.edges * 50) {
    const a = Math.floor(rand() * names.length);
    const b = Math.floor(rand() * names.length);
    if (layerOf(b) > layerOf(a)) pairs.add(`${a}>${b}`);
  }
  const fleet = createFleet(endpoint, (s) => ({ "service.namespace": `team-${Number(s.slice(4)) % 8}` }));
  const now = Date.now();
  const calls = opts.callsPerEdge ?? 2;
  let k = 0;
  for (const pair of pairs) {
    const [a, b] = pair.split(">").map(Number) as [number, number];
    for (let c = 0; c < calls; c++) {
      const t0 = now - 120_000 + ((k++ * 37) % 110_000);
      const root = fleet.tracer(names[a]!).startSpan(`GET /${names[a]}`, { kind: SpanKind.SERVER, startTime: t0 });
      const cl = child(fleet.tracer(names[a]!), root, "GET", SpanKind.CLIENT, t0 + 1, t0 + 20);
      const sv = fleet
        .tracer(names[b]!)
        .startSpan(`GET /api`, { kind: SpanKind.SERVER, startTime: t0 + 2 }, trace.setSpan(ROOT_CONTEXT, cl));
      sv.end(t0 + 18);
      root.end(t0 + 22);
    }
  }
  await fleet.shutdown();
  return { services: names.length, edges: pairs.size };
}
