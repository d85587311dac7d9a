/**
 * Ingest keys (CARTOGRAPH_INGEST_AUTH=keys) with the real OTel exporters: refused without a
 * key, accepted with one as an HTTP header or gRPC metadata, rate limited per key (429 +
 * Retry-After on HTTP, RESOURCE_EXHAUSTED on gRPC), refused once revoked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Metadata } from "@grpc/grpc-js";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_INGEST_AUTH: "keys" } });
}, 120_000);
afterAll(async () => server?.stop());

async function createKey(name: string, requestsPerSecond?: number): Promise<{ id: string; key: string }> {
  const res = await fetch(`${server.baseUrl}/api/v1/access/ingest-keys`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, requestsPerSecond }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; key: string };
}

/** Finished spans of one service, ready for an exporter's export(). */
function makeSpans(service: string, n = 3): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer("ingest-keys-test");
  for (let i = 0; i < n; i++) tracer.startSpan(`op-${i}`).end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) =>
    exporter.export(spans, (r) => resolve({ ok: r.code === 0, error: r.error?.message })),
  );
}

type Kind = "http/json" | "http/protobuf" | "grpc";
function exporter(kind: Kind, key?: string, via: "bearer" | "header" = "bearer"): SpanExporter {
  const headers: Record<string, string> = key
    ? via === "bearer"
      ? { authorization: `Bearer ${key}` }
      : { "x-cartograph-ingest-key": key }
    : {};
  const url = `${server.otlpHttpUrl}/v1/traces`;
  if (kind === "http/json") return new HttpJsonExporter({ url, headers, timeoutMillis: 3000 });
  if (kind === "http/protobuf") return new ProtoExporter({ url, headers, timeoutMillis: 3000 });
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(headers)) metadata.set(k, v);
  return new GrpcExporter({ url: `http://${server.grpcAddress}`, metadata, timeoutMillis: 3000 });
}

const storedSpans = async (service: string) => {
  const r = await server.get<{ traces: unknown[] }>(
    `/api/v1/traces?service=${service}&from=${Date.now() - 600_000}&to=now`,
  );
  return r.traces.length;
};

describe.each<Kind>(["http/json", "http/protobuf", "grpc"])("ingest keys over %s", (kind) => {
  const service = `keyed-${kind.replace(/\W/g, "-")}`;

  it("refuses a sender without a key or with a wrong one, and stores nothing", async () => {
    const none = await exportWith(exporter(kind), makeSpans(`${service}-anon`));
    expect(none.ok).toBe(false);
    const wrong = await exportWith(exporter(kind, "cgi_wrong"), makeSpans(`${service}-anon`));
    expect(wrong.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 500));
    expect(await storedSpans(`${service}-anon`)).toBe(0);
  });

  it("stores spans sent with a valid key (Authorization: Bearer and x-cartograph-ingest-key)", async () => {
    const { key } = await createKey(`key for ${kind}`);
    expect(key).toMatch(/^cgi_/);
    expect((await exportWith(exporter(kind, key), makeSpans(service))).ok).toBe(true);
    expect((await exportWith(exporter(kind, key, "header"), makeSpans(`${service}-hdr`))).ok).toBe(true);
    await eventually(
      async () => (await storedSpans(service)) === 3 && (await storedSpans(`${service}-hdr`)) === 3,
      15_000,
      "keyed spans stored",
    );
  });
});

describe("per-key limits and revocation", () => {
  it("answers 429 with Retry-After once a key is over its rate (HTTP)", async () => {
    const { key } = await createKey("slow http", 0.01); // burst of one request, then one per 100 s
    const post = () =>
      fetch(`${server.otlpHttpUrl}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ resourceSpans: [] }),
      });
    expect((await post()).status).toBe(200);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(5);
    // Another key is not affected by this one's limit.
    const other = await createKey("other");
    expect(
      (
        await fetch(`${server.otlpHttpUrl}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-cartograph-ingest-key": other.key },
          body: "{}",
        })
      ).status,
    ).toBe(200);
  });

  it("refuses a gRPC sender over its key's rate with RESOURCE_EXHAUSTED", async () => {
    const { key } = await createKey("slow grpc", 0.01);
    expect((await exportWith(exporter("grpc", key), makeSpans("grpc-limited"))).ok).toBe(true);
    const second = await exportWith(exporter("grpc", key), makeSpans("grpc-limited-2"));
    expect(second.ok).toBe(false);
    expect(second.error ?? "").toMatch(/RESOURCE_EXHAUSTED|limit/);
  });

  it("refuses a revoked key at once, and counts refusals on /metrics", async () => {
    const { id, key } = await createKey("to revoke");
    expect((await exportWith(exporter("http/protobuf", key), makeSpans("before-revoke"))).ok).toBe(true);
    const del = await fetch(`${server.baseUrl}/api/v1/access/ingest-keys/${id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    const after = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: "{}",
    });
    expect(after.status).toBe(401);
    const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /cartograph_ingest_rejected_requests_items_total\{signal="traces",reason="unauthenticated"\} [1-9]/,
    );
    expect(metrics).toMatch(/reason="rate_limited"\} [1-9]/);
  });

  it("guards Zipkin's /api/v2/spans the same way", async () => {
    const { key } = await createKey("zipkin");
    const span = [
      {
        traceId: "5af7183fb1d4cf5f",
        id: "6b221d5bc9e6496c",
        name: "get",
        timestamp: Date.now() * 1000,
        duration: 1000,
        localEndpoint: { serviceName: "zipkin-keyed" },
      },
    ];
    const post = (headers: Record<string, string>) =>
      fetch(`${server.baseUrl}/api/v2/spans`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(span),
      });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(202);
  });

  it("lists keys without their secrets", async () => {
    const { key } = await createKey("listed");
    const list = await server.get<{ keys: Array<{ name: string; prefix: string }>; required: boolean }>(
      "/api/v1/access/ingest-keys",
    );
    expect(list.required).toBe(true);
    expect(JSON.stringify(list)).not.toContain(key);
    expect(JSON.stringify(list)).not.toContain("secretHash");
    expect(list.keys.find((k) => k.name === "listed")?.prefix).toBe(key.slice(0, 10));
  });
});
