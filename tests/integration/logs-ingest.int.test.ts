import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, type Transport } from "../helpers/otel-sender";
import { createLogExporter, createServiceLogger, SeverityNumber } from "../helpers/otel-logs-sender";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_MAX_LOG_BODY_LENGTH: "10000" } });
});
afterAll(async () => {
  await server?.stop();
});

const transports: Transport[] = ["http/json", "http/protobuf", "grpc"];
const STACK =
  "Error: card declined\n    at charge (/srv/payments/charge.js:42:11)\n    at process (/srv/payments/queue.js:7:3)";

describe.each(transports)("logs through the real %s exporter", (transport) => {
  const service = `payments-${transport.replace(/\W/g, "-")}`;

  it("stores each record with its body type, severity, attributes, resource and trace context", async () => {
    const tracer = createServiceTracer(service, createExporter(transport, server));
    const logger = createServiceLogger(service, createLogExporter(transport, server, transport !== "http/json"), {
      "service.version": "1.2.3",
    });
    const span = tracer.span("POST /charge", { kind: SpanKind.SERVER });
    const t0 = Date.now() - 2000;
    logger.emit({
      body: "charge started",
      severity: SeverityNumber.INFO,
      severityText: "INFO",
      attributes: { "order.id": "o-1", amount: 42 },
      span,
      timeMs: t0,
    });
    logger.emit({
      body: STACK,
      severity: SeverityNumber.ERROR,
      severityText: "ERROR",
      attributes: { "exception.type": "CardError" },
      span,
      timeMs: t0 + 1,
    });
    logger.emit({
      body: { event: "retry", attempt: 2, tags: ["a", "b"] },
      severity: SeverityNumber.WARN,
      timeMs: t0 + 2,
    });
    span.end();
    await Promise.all([tracer.flush(), logger.flush()]);
    await Promise.all([tracer.shutdown(), logger.shutdown()]);
    const traceId = span.spanContext().traceId;
    const spanId = span.spanContext().spanId;

    const res = await eventually(
      () => server.get(`/api/v1/logs?service=${service}&from=${t0 - 1000}`).then((r) => r.logs.length === 3 && r),
      15_000,
      "logs stored",
    );
    expect(res.nextCursor).toBeNull();
    const [retry, error, info] = res.logs; // newest first
    expect(info).toMatchObject({
      body: "charge started",
      severityNumber: 9,
      severityText: "INFO",
      service,
      traceId,
      spanId,
      attributes: { "order.id": "o-1", amount: 42 },
    });
    expect(info.resource).toMatchObject({ "service.name": service, "service.version": "1.2.3" });
    expect(info.timeUnixNano).toBe(`${BigInt(t0) * 1_000_000n}`);
    expect(BigInt(info.observedTimeUnixNano)).toBeGreaterThan(0n);
    expect(error.body).toBe(STACK);
    expect(error.severityNumber).toBe(17);
    expect(retry.body).toEqual({ event: "retry", attempt: 2, tags: ["a", "b"] });
    expect(retry.traceId).toBeNull();

    // The trace's own route serves its lines oldest first, whatever the window.
    const byTrace = await server.get(`/api/v1/traces/${traceId}/logs`);
    expect(byTrace.logs.map((l: any) => l.severityNumber)).toEqual([9, 17]);
  });
});

async function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(server.otlpHttpUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" || Buffer.isBuffer(body) ? (body as string) : JSON.stringify(body),
  });
}

const now = () => `${BigInt(Date.now()) * 1_000_000n}`;
const request = (service: string, records: unknown[]) => ({
  resourceLogs: [
    {
      resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
      scopeLogs: [{ logRecords: records }],
    },
  ],
});

describe("the OTLP contract for logs", () => {
  it("answers partial success for the records it refuses and stores the rest", async () => {
    const res = await postJson(
      "/v1/logs",
      request("partial", [
        { timeUnixNano: now(), severityNumber: 9, body: { stringValue: "kept" } },
        { timeUnixNano: now(), severityNumber: 99, body: { stringValue: "bad severity" } },
      ]),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.partialSuccess.rejectedLogRecords).toBe("1");
    expect(body.partialSuccess.errorMessage).toMatch(/severity number must be an integer 0\.\.24/);
    const stored = await eventually(() =>
      server.get(`/api/v1/logs?service=partial`).then((r) => r.logs.length > 0 && r),
    );
    expect(stored.logs.map((l: any) => l.body)).toEqual(["kept"]);
  });

  it("stores a retried batch once, accepts gzip, and answers 400/415 for what it cannot read", async () => {
    const batch = JSON.stringify(
      request("retried", [{ timeUnixNano: now(), severityNumber: 13, body: { stringValue: "once" } }]),
    );
    for (let i = 0; i < 2; i++) {
      const r = await postJson("/v1/logs", gzipSync(batch) as never, { "content-encoding": "gzip" });
      expect(r.status, await r.text()).toBe(200);
    }
    const stored = await server.get(`/api/v1/logs?service=retried`);
    expect(stored.logs).toHaveLength(1);
    expect((await postJson("/v1/logs", "{not json")).status).toBe(400);
    expect((await postJson("/v1/logs", "x", { "content-type": "text/plain" })).status).toBe(415);
    // Also on the UI/API port.
    const api = await fetch(`${server.baseUrl}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: batch,
    });
    expect(api.status).toBe(200);
  });

  it("stores a 20,000-line batch whole, and its replay not again", async () => {
    // One request far past the size where the ClickHouse store's duplicate check once became a
    // single query over ClickHouse's limit (the whole batch then failed).
    const lines = 20_000;
    const t0 = BigInt(Date.now() - 120_000) * 1_000_000n;
    const batch = JSON.stringify(
      request(
        "bulk",
        Array.from({ length: lines }, (_, i) => ({
          timeUnixNano: `${t0 + BigInt(i) * 1_000_000n}`,
          severityNumber: i % 10 === 0 ? 17 : 9,
          body: { stringValue: `bulk line ${i} order o-${i % 97}` },
          attributes: [{ key: "n", value: { intValue: i } }],
        })),
      ),
    );
    for (let i = 0; i < 2; i++) {
      const r = await postJson("/v1/logs", batch);
      expect(r.status, await r.text()).toBe(200);
    }
    const from = Number(t0 / 1_000_000n) - 1000;
    const total = async () => {
      const h = await server.get(`/api/v1/logs/histogram?service=bulk&from=${from}&step=3600`);
      return h.buckets.reduce((sum: number, b: { total: number }) => sum + b.total, 0);
    };
    await eventually(async () => (await total()) === lines, 30_000, "every line counted");
    const errors = await server.get(`/api/v1/logs/histogram?service=bulk&from=${from}&step=3600&minSeverity=error`);
    expect(errors.buckets.reduce((s: number, b: { total: number }) => s + b.total, 0)).toBe(lines / 10);
    const last = await server.get(`/api/v1/logs?service=bulk&from=${from}&limit=2`);
    expect(last.logs.map((l: any) => l.body)).toEqual([
      `bulk line ${lines - 1} order o-${(lines - 1) % 97}`,
      `bulk line ${lines - 2} order o-${(lines - 2) % 97}`,
    ]);
    // The replay added nothing, neither lines nor counts.
    expect(await total()).toBe(lines);
  });

  it("keeps hostile bodies as inert text: huge, deeply nested, HTML/script, invalid UTF-8", async () => {
    let nested: any = { stringValue: "bottom" };
    for (let i = 0; i < 40; i++) nested = { kvlistValue: { values: [{ key: `k${i}`, value: nested }] } };
    const script = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    const res = await postJson(
      "/v1/logs",
      request("hostile", [
        {
          timeUnixNano: now(),
          severityNumber: 9,
          body: { stringValue: "y".repeat(50_000) },
          attributes: [{ key: "kind", value: { stringValue: "huge" } }],
        },
        {
          timeUnixNano: now(),
          severityNumber: 9,
          body: nested,
          attributes: [{ key: "kind", value: { stringValue: "nested" } }],
        },
        {
          timeUnixNano: now(),
          severityNumber: 9,
          body: { stringValue: script },
          attributes: [{ key: "kind", value: { stringValue: "html" } }],
        },
      ]),
    );
    expect(res.status).toBe(200);
    // Invalid UTF-8 inside a protobuf string: protobuf has no UTF-8 check of its own.
    const { LogsRequest } = await import("../../server/decode");
    const marker = "MARKER-XX";
    const bytes = Buffer.from(
      LogsRequest.encode(
        LogsRequest.fromObject({
          resourceLogs: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: "hostile" } }] },
              scopeLogs: [
                {
                  logRecords: [
                    {
                      timeUnixNano: Date.now() * 1e6,
                      severityNumber: 9,
                      body: { stringValue: marker },
                      attributes: [{ key: "kind", value: { stringValue: "utf8" } }],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      ).finish(),
    );
    const at = bytes.indexOf(marker) + marker.length - 2;
    bytes[at] = 0xff;
    bytes[at + 1] = 0xc3;
    const bin = await fetch(server.otlpHttpUrl + "/v1/logs", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: bytes,
    });
    expect(bin.status).toBe(200);

    const all = await eventually(() =>
      server.get(`/api/v1/logs?service=hostile`).then((r) => r.logs.length === 4 && r),
    );
    const byKind = Object.fromEntries(all.logs.map((l: any) => [l.attributes.kind, l]));
    expect(byKind.huge.body).toBe("y".repeat(10_000));
    expect(JSON.stringify(byKind.nested.body)).toContain("[nested too deep]");
    expect(byKind.html.body).toBe(script);
    expect(byKind.utf8.body).toMatch(/^MARKER-\uFFFD/);
    const found = await server.get(`/api/v1/logs?service=hostile&q=${encodeURIComponent("script alert")}`);
    expect(found.logs.map((l: any) => l.attributes.kind)).toEqual(["html"]);
  });

  it("validates the query and names the parameter at fault", async () => {
    for (const [q, word] of [
      ["minSeverity=loud", "minSeverity"],
      ["traceId=xyz", "traceId"],
      ["cursor=bm9wZQ", "cursor"],
      ["attr=novalue", "attr"],
      ["limit=0", "limit"],
      ["from=10&to=5", "from"],
    ]) {
      const r = await fetch(`${server.baseUrl}/api/v1/logs?${q}`);
      expect(r.status, q).toBe(400);
      expect((await r.json()).error.message).toContain(word);
    }
  });
});
