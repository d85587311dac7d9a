import { trace, SpanKind, SpanStatusCode, type Span } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { createServiceTracer } from "./otel-sender";

/**
 * Real OpenTelemetry SDK traffic of a small fleet (root servers, service-to-service calls,
 * a database shared by two services, a Kafka topic, an external API, unanswered clients and
 * orphan servers), with explicit times so two runs of it are the same traffic.
 */

/** Sends every batch whole to `primary` and each span to one of `split`, chosen at random. */
export class SplitExporter implements SpanExporter {
  constructor(
    private readonly primary: SpanExporter,
    private readonly split: SpanExporter[],
    private readonly random: () => number = Math.random,
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    const parts: ReadableSpan[][] = this.split.map(() => []);
    for (const s of spans) parts[Math.floor(this.random() * parts.length)]!.push(s);
    const sends: Promise<ExportResult>[] = [new Promise((r) => this.primary.export(spans, r))];
    parts.forEach((p, i) => {
      if (p.length > 0) sends.push(new Promise((r) => this.split[i]!.export(p, r)));
    });
    void Promise.all(sends).then((rs) => {
      const failed = rs.find((r) => r.code !== ExportResultCode.SUCCESS);
      done(failed ?? { code: ExportResultCode.SUCCESS });
    });
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.primary.shutdown(), ...this.split.map((e) => e.shutdown())]);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.primary.forceFlush?.(), ...this.split.map((e) => e.forceFlush?.())]);
  }
}

export const FLEET_SERVICES = ["frontend", "checkout", "payments", "inventory"] as const;

function randomHex(n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** Sends `traces` traces starting at baseMs, one every `spacingMs`; returns the trace ids. */
export async function sendFleetTraffic(
  exporterFor: (service: string) => SpanExporter,
  o: { baseMs: number; traces: number; spacingMs: number },
): Promise<string[]> {
  const tracers = Object.fromEntries(
    FLEET_SERVICES.map((s) => [s, createServiceTracer(s, exporterFor(s), { "deployment.environment.name": "test" })]),
  );
  const fe = tracers.frontend!,
    co = tracers.checkout!,
    pay = tracers.payments!,
    inv = tracers.inventory!;
  const ids: string[] = [];
  const db = {
    "db.system.name": "postgresql",
    "db.namespace": "shop",
    "server.address": "db.internal",
    "server.port": 5432,
  };
  for (let i = 0; i < o.traces; i++) {
    const t = o.baseMs + i * o.spacingMs;
    const end = (s: Span, ms: number, error = false) => {
      if (error) s.setStatus({ code: SpanStatusCode.ERROR });
      s.end(ms);
    };
    const root = fe.span("GET /checkout", {
      kind: SpanKind.SERVER,
      start: t,
      attributes: { "http.request.method": "GET", "user_agent.original": "Mozilla/5.0 Firefox/130.0" },
    });
    ids.push(root.spanContext().traceId);
    const c1 = fe.span("POST /pay", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: t + 2,
      attributes: { "http.request.method": "POST", "server.address": "127.0.0.1", "server.port": 8081 },
    });
    const s1 = co.span("POST /pay", {
      kind: SpanKind.SERVER,
      parent: c1,
      start: t + 3,
      attributes: { "http.request.method": "POST" },
    });
    const q1 = co.span("SELECT shop.orders", {
      kind: SpanKind.CLIENT,
      parent: s1,
      start: t + 5,
      attributes: { ...db, "db.collection.name": "orders" },
    });
    end(q1, t + 10);
    const p1 = co.span("orders publish", {
      kind: SpanKind.PRODUCER,
      parent: s1,
      start: t + 11,
      attributes: { "messaging.system": "kafka", "messaging.destination.name": "orders" },
    });
    end(p1, t + 12);
    const k1 = inv.span("orders process", {
      kind: SpanKind.CONSUMER,
      parent: p1,
      start: t + 20,
      attributes: {
        "messaging.system": "kafka",
        "messaging.destination.name": "orders",
        "messaging.consumer.group.name": "inventory",
      },
    });
    const q3 = inv.span("UPDATE shop.stock", {
      kind: SpanKind.CLIENT,
      parent: k1,
      start: t + 21,
      attributes: { ...db, "db.collection.name": "orders" },
    });
    end(q3, t + 24);
    end(k1, t + 25);
    const c2 = co.span("POST /charge", {
      kind: SpanKind.CLIENT,
      parent: s1,
      start: t + 13,
      attributes: { "http.request.method": "POST", "server.address": "127.0.0.1", "server.port": 8082 },
    });
    const s2 = pay.span("POST /charge", {
      kind: SpanKind.SERVER,
      parent: c2,
      start: t + 14,
      attributes: { "http.request.method": "POST" },
    });
    const ext = pay.span("POST", {
      kind: SpanKind.CLIENT,
      parent: s2,
      start: t + 15,
      attributes: {
        "http.request.method": "POST",
        "server.address": "api.stripe.com",
        "url.full": "https://api.stripe.com/v1/charges",
      },
    });
    end(ext, t + 15 + (i % 17), i % 13 === 0);
    const q2 = pay.span("INSERT shop.payments", {
      kind: SpanKind.CLIENT,
      parent: s2,
      start: t + 31,
      attributes: { ...db, "db.collection.name": "payments" },
    });
    end(q2, t + 33);
    end(s2, t + 34, i % 10 === 0);
    end(c2, t + 35, i % 10 === 0);
    end(s1, t + 39);
    end(c1, t + 40);
    if (i % 7 === 0) {
      // A client nobody answers and with no peer attribute: counted, not drawn.
      const lost = fe.span("rpc call", { kind: SpanKind.CLIENT, parent: root, start: t + 41 });
      end(lost, t + 44);
    }
    if (i % 5 === 0) {
      // A server whose caller's span never arrives (an uninstrumented proxy lost it).
      const ghost = trace.wrapSpanContext({
        traceId: root.spanContext().traceId,
        spanId: randomHex(16),
        traceFlags: 1,
      });
      const orphan = inv.span("GET /stock", {
        kind: SpanKind.SERVER,
        parent: ghost,
        start: t + 45,
        attributes: { "http.request.method": "GET" },
      });
      end(orphan, t + 47);
    }
    end(root, t + 50 + (i % 11));
  }
  await Promise.all(Object.values(tracers).map((tr) => tr.flush()));
  await Promise.all(Object.values(tracers).map((tr) => tr.shutdown()));
  return ids;
}
