import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { TraceRequest, TraceResponse } from "../../server/decode";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";

const MAX_BODY = 256 * 1024;
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    env: {
      CARTOGRAPH_MAX_BODY_BYTES: String(MAX_BODY),
      CARTOGRAPH_MAX_ATTRIBUTE_VALUE_LENGTH: "1000",
      CARTOGRAPH_MAX_ATTRIBUTE_DEPTH: "4",
    },
  });
});
afterAll(async () => server?.stop());

let n = 0;
const hex = (len: number) =>
  Array.from({ length: len }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
function span(over: Record<string, unknown> = {}) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: hex(32),
    spanId: hex(16),
    name: `op-${n++}`,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    ...over,
  };
}
function body(spans: unknown[], service = "bad-input") {
  return {
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
    ],
  };
}
async function post(b: string | Uint8Array, headers: Record<string, string>, path = "/v1/traces", method = "POST") {
  const res = await fetch(server.otlpHttpUrl + path, {
    method,
    body: method === "GET" ? undefined : (b as BodyInit),
    headers,
  });
  const buf = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, buf, text: () => Buffer.from(buf).toString("utf8") };
}
const json = { "content-type": "application/json" };
const proto = { "content-type": "application/x-protobuf" };

describe("bad input gets the documented answer and loses nothing", () => {
  const good = span({ name: "kept-before-bad-input" });

  it("stores a good span first", async () => {
    const r = await post(JSON.stringify(body([good])), json);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text())).toEqual({});
  });

  it("answers malformed protobuf with 400 and a protobuf Status", async () => {
    const r = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2]), proto);
    expect(r.status).toBe(400);
    expect(r.headers.get("content-type")).toBe("application/x-protobuf");
    expect(r.text()).toContain("malformed protobuf");
  });

  it("answers truncated gzip with 400", async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(body([span()]))));
    const r = await post(gz.subarray(0, gz.length - 10), { ...json, "content-encoding": "gzip" });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text()).message).toMatch(/decompress/);
  });

  it("answers an unknown content type with 415, an unknown encoding with 400 and GET with 405", async () => {
    expect((await post("x", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("x", {})).status).toBe(415);
    expect((await post("{}", { ...json, "content-encoding": "br" })).status).toBe(400);
    const get = await post("", {}, "/v1/traces", "GET");
    expect(get.status).toBe(405);
  });

  it("rejects invalid ids, enum names and end-before-start spans through partial success", async () => {
    const okSpan = span({ name: "valid-among-invalid" });
    const bad = [
      span({ traceId: "00000000000000000000000000000000" }),
      span({ spanId: "abc" }),
      span({ traceId: "zz".repeat(16) }),
      span({ kind: "SPAN_KIND_SERVER" }),
      span({ startTimeUnixNano: "2000", endTimeUnixNano: "1000" }),
      span({ parentSpanId: "0000000000000000" }),
    ];
    const r = await post(JSON.stringify(body([okSpan, ...bad])), json);
    expect(r.status).toBe(200);
    const res = JSON.parse(r.text());
    expect(res.partialSuccess.rejectedSpans).toBe("6");
    expect(res.partialSuccess.errorMessage).toMatch(/invalid trace id/);
    const found = await eventually(() =>
      server.get(`/api/v1/traces?operation=valid-among-invalid`).then((x) => x.traces.length === 1),
    );
    expect(found).toBe(true);
  });

  it("answers protobuf partial success in protobuf", async () => {
    const msg = TraceRequest.fromObject({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.alloc(16),
                  spanId: Buffer.alloc(8, 1),
                  name: "x",
                  startTimeUnixNano: 1,
                  endTimeUnixNano: 2,
                },
                {
                  traceId: Buffer.alloc(16, 2),
                  spanId: Buffer.alloc(8, 3),
                  name: "proto-ok",
                  kind: 1,
                  startTimeUnixNano: Date.now() * 1e6,
                  endTimeUnixNano: Date.now() * 1e6 + 5,
                },
              ],
            },
          ],
        },
      ],
    });
    const r = await post(TraceRequest.encode(msg).finish(), proto);
    expect(r.status).toBe(200);
    const decoded = TraceResponse.decode(r.buf);
    expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(1);
  });

  it("truncates huge attribute values and rejects nesting deeper than the cap", async () => {
    const huge = span({ name: "huge-attr", attributes: [{ key: "big", value: { stringValue: "x".repeat(50_000) } }] });
    let deep: any = { stringValue: "bottom" };
    for (let i = 0; i < 10; i++) deep = { kvlistValue: { values: [{ key: `k${i}`, value: deep }] } };
    const nested = span({ name: "too-deep", attributes: [{ key: "deep", value: deep }] });
    const r = await post(JSON.stringify(body([huge, nested])), json);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text()).partialSuccess.errorMessage).toMatch(/nesting deeper than 4/);
    const t = await eventually(() => server.get(`/api/v1/traces/${huge.traceId}`).catch(() => null));
    expect(t.spans[0].attributes.big).toHaveLength(1000);
    await expect(server.get(`/api/v1/traces/${nested.traceId}`)).rejects.toThrow(/404/);
  });

  it("answers invalid UTF-8 in JSON with 400", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}]}}]}'),
    ]);
    const r = await post(bytes, json);
    expect(r.status).toBe(400);
    expect(r.text()).toMatch(/UTF-8/);
  });

  it("answers over-size bodies (plain and gzip bombs) with 413", async () => {
    const big = JSON.stringify(
      body([span({ attributes: [{ key: "pad", value: { stringValue: "y".repeat(MAX_BODY) } }] })]),
    );
    expect((await post(big, json)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const r = await post(bomb, { ...json, "content-encoding": "gzip" });
    expect(r.status).toBe(413);
  });

  it("is still up and has lost nothing stored before", async () => {
    const t = await server.get(`/api/v1/traces/${good.traceId}`);
    expect(t.spans.map((s: any) => s.name)).toEqual(["kept-before-bad-input"]);
    const health = await fetch(server.baseUrl + "/healthz");
    expect(health.status).toBe(200);
  });

  it("rejects bad API parameters with 400 and a message, never 500", async () => {
    for (const p of [
      "/api/v1/services?from=yesterday",
      "/api/v1/services?from=2000&to=1000",
      "/api/v1/traces?limit=0",
      "/api/v1/traces?status=maybe",
      "/api/v1/traces?attr=novalue",
      "/api/v1/traces/not-a-trace-id",
      "/api/v1/metrics/query?service=x",
    ]) {
      const res = await fetch(server.baseUrl + p);
      expect(res.status, p).toBe(400);
      const b = await res.json();
      expect(b.error.code).toBeTruthy();
      expect(b.error.message.length).toBeGreaterThan(5);
    }
    expect((await fetch(server.baseUrl + "/api/v1/services/nope/operations")).status).toBe(404);
    const wrongMethod = await fetch(server.baseUrl + "/api/v1/services", { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
    expect((await fetch(server.baseUrl + "/api/v1/traces/" + "a".repeat(32))).status).toBe(404);
  });
});

describe("API documentation", () => {
  it("serves an OpenAPI document that covers every public endpoint", async () => {
    const doc = await server.get("/api/v1/openapi.json");
    expect(doc.openapi).toMatch(/^3\./);
    for (const p of [
      "/api/v1/services",
      "/api/v1/services/{name}/operations",
      "/api/v1/services/{name}/timeseries",
      "/api/v1/service-map",
      "/api/v1/service-map/diff",
      "/api/v1/traces",
      "/api/v1/traces/{traceId}",
      "/api/v1/violations",
      "/api/v1/alert-rules",
      "/api/v1/alerts",
      "/api/v1/silences",
      "/api/v1/notification-channels",
    ]) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });
});
