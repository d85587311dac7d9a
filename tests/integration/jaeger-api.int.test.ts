import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";
import { postZipkin } from "../fixtures/zipkin/zipkin-client";
import { createZipkinBuilder, kafkaTraces, multiHopRpc, rabbitTraces } from "../fixtures/zipkin/traces";
import * as J from "../fixtures/zipkin/jaeger-schema";

let server: RunningServer;
const b = createZipkinBuilder((Date.now() - 120_000) * 1000, 3);
const rpc = multiHopRpc(b, "463ac35c9f6413ad");
const kafka = kafkaTraces(b, "a1b2c3d4e5f60718a1b2c3d4e5f60718", "48485a3953bb6124");
const rabbit = rabbitTraces(b, "5af7183fb1d4cf5f");

beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "300" } });
  expect((await postZipkin(server.zipkinUrl, [...rpc, ...kafka, ...rabbit])).status).toBe(202);
});
afterAll(async () => server?.stop());

/** GETs a Jaeger endpoint and validates the body against the schema for its status. */
async function jaeger<T extends z.ZodTypeAny>(path: string, schema: T, status = 200): Promise<z.infer<T>> {
  const res = await fetch(`${server.baseUrl}/jaeger/api${path}`);
  const body = await res.json();
  expect({ path, status: res.status }).toEqual({ path, status });
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new Error(
      `${path}: ${JSON.stringify(parsed.error.issues.slice(0, 3))}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  return parsed.data;
}
const q = (o: Record<string, string | number>) =>
  "?" + new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

describe("Jaeger query API (what Grafana's Jaeger data source calls)", () => {
  it("services: every service, sorted, with total", async () => {
    // The service catalog is written with the rollups (every CARTOGRAPH_ROLLUP_FLUSH_MS).
    const r = await eventually(
      async () => {
        const x = await jaeger("/services", J.ServicesResponse);
        return x.data.length >= 7 ? x : null;
      },
      10_000,
      "the service catalog",
    );
    expect(r.data).toEqual(["auth", "backend", "billing", "frontend", "mailer", "orders", "shipping"]);
    expect(r.total).toBe(7);
  });

  it("operations of a service, by name and by kind; empty for an unknown service", async () => {
    await eventually(
      async () => (await jaeger("/services/backend/operations", J.OperationNamesResponse)).data.includes("query"),
      10_000,
      "RED rollups",
    );
    const names = await jaeger("/services/backend/operations", J.OperationNamesResponse);
    expect(names.data).toEqual(
      expect.arrayContaining(["get /api/cart", "load-cart", "query", "get", "post /authorize", "get /inventory"]),
    );
    const servers = await jaeger(`/operations${q({ service: "backend", spanKind: "server" })}`, J.OperationsResponse);
    expect(servers.data).toEqual([{ name: "get /api/cart", spanKind: "server" }]);
    const all = await jaeger(`/operations${q({ service: "backend" })}`, J.OperationsResponse);
    expect(all.data).toContainEqual({ name: "load-cart", spanKind: "internal" });
    expect((await jaeger("/services/nobody/operations", J.OperationNamesResponse)).data).toEqual([]);
  });

  it("traces/{id}: one trace in Jaeger's model, a 64-bit id found left-padded", async () => {
    const r = await jaeger("/traces/463ac35c9f6413ad", J.TracesResponse);
    const t = r.data[0]!;
    expect(t.traceID).toBe("0000000000000000463ac35c9f6413ad");
    expect(t.spans).toHaveLength(rpc.length);
    expect(
      Object.values(t.processes)
        .map((p) => p.serviceName)
        .sort(),
    ).toEqual(["auth", "backend", "frontend"]);
    const c1 = t.spans.find((s) => s.spanID === rpc[1]!.id)!;
    expect(c1.tags).toContainEqual({ key: "span.kind", type: "string", value: "client" });
    expect(c1.logs.map((l) => l.fields[0])).toEqual([
      { key: "event", type: "string", value: "ws" },
      { key: "event", type: "string", value: "wr" },
    ]);
    expect(c1.logs[0]!.timestamp).toBe(rpc[1]!.timestamp! + 10);
    expect(c1.startTime).toBe(rpc[1]!.timestamp);
    expect(c1.duration).toBe(rpc[1]!.duration);
    const shared = t.spans.find(
      (s) => s.references[0]?.spanID === c1.spanID && s.tags.some((x) => x.key === "span.kind" && x.value === "server"),
    )!;
    expect(shared.references).toEqual([{ refType: "CHILD_OF", traceID: t.traceID, spanID: c1.spanID }]);
    const failed = t.spans.find(
      (s) => s.operationName === "get /token" && s.tags.some((x) => x.key === "span.kind" && x.value === "client"),
    )!;
    expect(failed.tags).toContainEqual({ key: "error", type: "bool", value: true });
  });

  it("traces search: service, operation, tags, duration bounds, start/end, lookback, limit", async () => {
    const now = Date.now() * 1000;
    const byTag = await jaeger(
      `/traces${q({ service: "auth", tags: JSON.stringify({ error: "true" }), lookback: "1h", limit: 20 })}`,
      J.TracesResponse,
    );
    expect(byTag.data.map((t) => t.traceID)).toEqual(["0000000000000000463ac35c9f6413ad"]);
    const legacyTag = await jaeger(
      `/traces${q({ service: "backend", tag: "sql.query:SELECT * FROM cart WHERE user_id = ?" })}`,
      J.TracesResponse,
    );
    expect(legacyTag.data).toHaveLength(1);
    const byOp = await jaeger(
      `/traces${q({ service: "mailer", operation: "send", start: now - 3600e6, end: now })}`,
      J.TracesResponse,
    );
    expect(byOp.data.map((t) => t.traceID)).toEqual(["00000000000000005af7183fb1d4cf5f"]);
    const slow = await jaeger(`/traces${q({ service: "frontend", minDuration: "40ms" })}`, J.TracesResponse);
    expect(slow.data).toHaveLength(1);
    const none = await jaeger(`/traces${q({ service: "frontend", minDuration: "1s" })}`, J.TracesResponse);
    expect(none).toEqual({ data: [], total: 0, limit: 0, offset: 0, errors: null });
    const window = await jaeger(
      `/traces${q({ service: "frontend", start: now - 3600e6, end: now - 1800e6 })}`,
      J.TracesResponse,
    );
    expect(window.data).toEqual([]);
    const limited = await jaeger(`/traces${q({ service: "billing", limit: 1 })}`, J.TracesResponse);
    expect(limited.data).toHaveLength(1);
    const kinds = await jaeger(
      `/traces${q({ service: "shipping", tags: JSON.stringify({ "span.kind": "consumer" }) })}`,
      J.TracesResponse,
    );
    expect(kinds.data).toHaveLength(1);
    // A process (resource) tag matches too, as in Jaeger: an OTLP span whose resource names its host.
    const otlp = {
      resourceSpans: [
        {
          resource: {
            attributes: [
              { key: "service.name", value: { stringValue: "frontend" } },
              { key: "host.name", value: { stringValue: "web-7" } },
            ],
          },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "7".repeat(32),
                  spanId: "7".repeat(16),
                  name: "get /health",
                  kind: 2,
                  startTimeUnixNano: String(BigInt(Date.now() - 5000) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now() - 4990) * 1_000_000n),
                },
              ],
            },
          ],
        },
      ],
    };
    expect(
      (
        await fetch(`${server.baseUrl}/v1/traces`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(otlp),
        })
      ).status,
    ).toBe(200);
    const byProcess = await jaeger(
      `/traces${q({ service: "frontend", tags: JSON.stringify({ "host.name": "web-7" }) })}`,
      J.TracesResponse,
    );
    expect(byProcess.data.map((t) => t.traceID)).toEqual(["7".repeat(32)]);
    expect(Object.values(byProcess.data[0]!.processes)[0]!.tags).toContainEqual({
      key: "host.name",
      type: "string",
      value: "web-7",
    });
    const ids = await jaeger(`/traces?traceID=463ac35c9f6413ad&traceID=5af7183fb1d4cf5f`, J.TracesResponse);
    expect(ids.data).toHaveLength(2);
  });

  it("dependencies: the map's links (self-call and topic nodes included); empty for a quiet window", async () => {
    const r = await eventually(
      async () => {
        const d = await jaeger(`/dependencies${q({ endTs: Date.now(), lookback: 3_600_000 })}`, J.DependenciesResponse);
        return d.data.some((l) => l.parent === "order-events" && l.child === "billing") ? d : null;
      },
      60_000,
      "dependency links",
    );
    expect(r.data).toContainEqual({ parent: "auth", child: "auth", callCount: 1 });
    expect(r.data).toContainEqual({ parent: "frontend", child: "backend", callCount: 1 });
    expect(r.data).toContainEqual({ parent: "orders", child: "order-events", callCount: 1 });
    expect(r.data).toContainEqual({ parent: "backend", child: "memcache", callCount: 1 });
    const quiet = await jaeger(
      `/dependencies${q({ endTs: Date.now() - 86_400_000 * 30, lookback: 3_600_000 })}`,
      J.DependenciesResponse,
    );
    expect(quiet.data).toEqual([]);
  }, 90_000); // the links come from rollups: on a loaded machine they take longer than 15 s to appear

  it("errors answer in Jaeger's envelope with the status in code", async () => {
    const missing = await jaeger("/traces", J.ErrorResponse, 400);
    expect(missing.errors[0]).toEqual({ code: 400, msg: "parameter 'service' is required" });
    expect(
      (await jaeger(`/traces${q({ service: "auth", minDuration: "fast" })}`, J.ErrorResponse, 400)).errors[0]!.msg,
    ).toMatch(/minDuration/);
    expect(
      (await jaeger(`/traces${q({ service: "auth", tags: "{not json" })}`, J.ErrorResponse, 400)).errors[0]!.msg,
    ).toMatch(/tags/);
    expect((await jaeger(`/traces${q({ service: "auth", limit: 0 })}`, J.ErrorResponse, 400)).errors[0]!.msg).toMatch(
      /limit/,
    );
    expect((await jaeger("/traces/ffffffffffffffffffffffffffffffff", J.ErrorResponse, 404)).errors[0]).toEqual({
      code: 404,
      msg: "trace not found",
    });
    expect((await jaeger("/traces/xyz", J.ErrorResponse, 400)).errors[0]!.code).toBe(400);
    expect((await jaeger(`/operations${q({ spanKind: "server" })}`, J.ErrorResponse, 400)).errors[0]!.msg).toBe(
      "parameter 'service' is required",
    );
    expect(
      (await jaeger(`/operations${q({ service: "auth", spanKind: "sideways" })}`, J.ErrorResponse, 400)).errors[0]!.msg,
    ).toMatch(/spanKind/);
    expect((await jaeger(`/dependencies${q({ lookback: "a week" })}`, J.ErrorResponse, 400)).errors[0]!.msg).toMatch(
      /lookback/,
    );
    expect((await jaeger("/v3/nothing", J.ErrorResponse, 404)).errors[0]!.code).toBe(404);
  });
});

describe("Jaeger query API on a huge trace", () => {
  it("answers the first 10,000 spans of a bigger trace with a warning; Cartograph's own API pages to the rest", async () => {
    const traceId = "7e57000000000000000000000000b16a";
    const startUs = (Date.now() - 60_000) * 1000;
    const spans = Array.from({ length: 10_050 }, (_, i) => ({
      traceId,
      id: (i + 1).toString(16).padStart(16, "0"),
      ...(i ? { parentId: "0000000000000001" } : {}),
      name: i ? `step-${i}` : "batch",
      timestamp: startUs + i,
      duration: 10,
      localEndpoint: { serviceName: "batcher" },
    }));
    expect((await postZipkin(server.zipkinUrl, spans)).status).toBe(202);
    const own = await eventually(
      async () => {
        const r = await fetch(`${server.baseUrl}/api/v1/traces/${traceId}?limit=1`);
        const body = r.ok ? await r.json() : null;
        return body?.totalSpans === 10_050 ? body : null;
      },
      30_000,
      "the huge trace stored",
    );
    expect(own.truncated).toBe(true);
    const r = await jaeger(`/traces/${traceId}`, J.TracesResponse);
    const t = r.data[0]!;
    expect(t.spans).toHaveLength(10_000);
    expect(t.warnings?.[0]).toMatch(/more than 10000 spans/);
    // The first spans by start time are the ones shown.
    expect(t.spans.some((s) => s.operationName === "batch")).toBe(true);
    expect(t.spans.some((s) => s.operationName === "step-10049")).toBe(false);
  }, 120_000);
});
