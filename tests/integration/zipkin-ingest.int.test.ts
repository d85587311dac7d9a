import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";
import { encodeListOfSpans, postZipkin, type ZSpan } from "../fixtures/zipkin/zipkin-client";
import { createZipkinBuilder, kafkaTraces, largeTrace, multiHopRpc, rabbitTraces } from "../fixtures/zipkin/traces";
import { linkZipkin } from "../fixtures/zipkin/zipkin-linker";
import { projectToZipkin, sortedLinks } from "../fixtures/zipkin/project-map";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "300", CARTOGRAPH_FLUSH_INTERVAL_MS: "5" } });
});
afterAll(async () => server?.stop());

const b = createZipkinBuilder((Date.now() - 60_000) * 1000, 7);
const rpc = multiHopRpc(b, "463ac35c9f6413ad", { omitServerTimes: true });
const kafka = kafkaTraces(b, "a1b2c3d4e5f60718", "48485a3953bb6124");
const rabbit = rabbitTraces(b, "5af7183fb1d4cf5f463ac35c9f6413ad");
const large = largeTrace(b, "00000000000000000000000000000b1g".replace("g", "0"));
const all = [...rpc, ...kafka, ...rabbit, ...large];

async function trace(id: string) {
  return server.get<{
    spans: {
      spanId: string;
      parentSpanId: string | null;
      service: string;
      kind: string;
      startTimeUnixNano: string;
      endTimeUnixNano: string;
      attributes: Record<string, unknown>;
      events: { name: string }[];
      status: { code: string; message: string };
    }[];
  }>(`/api/v1/traces/${id}`);
}

describe("Zipkin v2 ingest through real HTTP", () => {
  it("answers 202 with an empty body for JSON on the Zipkin port and protobuf + gzip on the HTTP port", async () => {
    const r1 = await postZipkin(server.zipkinUrl, [...rpc, ...kafka]);
    expect(r1.status).toBe(202);
    expect(await r1.text()).toBe("");
    const r2 = await postZipkin(server.baseUrl, rabbit, { encoding: "protobuf", gzip: true });
    expect(r2.status).toBe(202);
    const r3 = await postZipkin(server.zipkinUrl, large, { encoding: "protobuf" });
    expect(r3.status).toBe(202);
  });

  it("stores every span, including both halves of shared spans, with 64-bit ids left-padded", async () => {
    const t = await trace("0000000000000000463ac35c9f6413ad");
    expect(t.spans).toHaveLength(rpc.length);
    const client = t.spans.find((s) => s.spanId === rpc[1]!.id && s.kind === "client")!;
    const server1 = t.spans.find((s) => s.parentSpanId === rpc[1]!.id && s.kind === "server")!;
    expect(server1.service).toBe("backend");
    expect(server1.spanId).not.toBe(client.spanId);
    expect(server1.attributes["zipkin.shared"]).toBe(true);
    // The server half came without timestamp/duration: the client's times stand in.
    expect(server1.startTimeUnixNano).toBe(client.startTimeUnixNano);
    expect(server1.endTimeUnixNano).toBe(client.endTimeUnixNano);
    expect(server1.attributes["cartograph.time_source"]).toBe("client");
    // The local span under the shared id belongs to the server half.
    expect(t.spans.find((s) => s.attributes["network.local.address"] && s.kind === "internal")!.parentSpanId).toBe(
      server1.spanId,
    );
    // Tags map to the pipeline's attributes; `error` sets error status with its message.
    const self = t.spans.find((s) => s.kind === "client" && s.service === "auth")!;
    expect(self.status).toEqual({ code: "error", message: "timeout" });
    expect(self.attributes["peer.service"]).toBe("auth");
    const big = await trace("00000000000000000000000000000b10");
    expect(big.spans).toHaveLength(large.length);
    expect(large.length).toBeGreaterThan(1000);
    expect(big.spans.filter((s) => s.attributes["cartograph.time_source"] === "client")).toHaveLength(14);
  });

  it("re-sending the same spans stores nothing twice (derived ids are deterministic)", async () => {
    expect((await postZipkin(server.zipkinUrl, rpc)).status).toBe(202);
    expect((await trace("0000000000000000463ac35c9f6413ad")).spans).toHaveLength(rpc.length);
  });

  it("draws the map Zipkin's linker draws (typed nodes, self-call loop, broker-only consumer)", async () => {
    const expected = sortedLinks(linkZipkin(all));
    const map = await eventually(
      async () => {
        const m = await server.get(`/api/v1/service-map?from=${Date.now() - 10 * 60_000}&to=now`);
        return JSON.stringify(sortedLinks(projectToZipkin(m).links)) === JSON.stringify(expected) ? m : null;
      },
      20_000,
      "the map to match Zipkin's links",
    ).catch(async (e) => {
      const m = await server.get(`/api/v1/service-map?from=${Date.now() - 10 * 60_000}&to=now`);
      expect(sortedLinks(projectToZipkin(m).links)).toEqual(expected);
      throw e;
    });
    const loop = map.edges.find((e: { id: string }) => e.id === "service:auth->service:auth");
    expect(loop.stats.requests).toBe(1 + 40 * 5);
    expect(loop.stats.errors).toBe(1);
    expect(loop.stats.p95Ms).toBeGreaterThan(0);
    expect(map.edges.map((e: { id: string }) => e.id)).toContain("messaging:kafka/order-events->service:billing");
  });

  it("refuses malformed spans whole with 400 naming the span and the field", async () => {
    const bad = [{ ...rpc[0] }, { ...rpc[1], id: "not-hex" }];
    const r = await postZipkin(server.zipkinUrl, bad as ZSpan[]);
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/span 1 id not-hex "get \/api\/cart": id: must be 1 to 16 hex characters/);
    const r2 = await postZipkin(server.zipkinUrl, [{ ...rpc[0]!, timestamp: -5 }]);
    expect(await r2.text()).toMatch(/span 0 .*timestamp/);
    const r3 = await postZipkin(server.zipkinUrl, JSON.stringify({ spans: [] }));
    expect(r3.status).toBe(400);
    expect(await r3.text()).toMatch(/JSON array/);
    // A ListOfSpans whose first span has a 3-byte trace id (written field by field).
    const r4 = await postZipkin(server.zipkinUrl, Buffer.from([0x0a, 0x05, 0x0a, 0x03, 1, 2, 3]), {
      encoding: "protobuf",
    });
    expect(encodeListOfSpans(rpc).length).toBeGreaterThan(0);
    expect(r4.status).toBe(400);
    expect(await r4.text()).toMatch(/span 0.*traceId: must be 8 or 16 bytes/);
    const r5 = await postZipkin(server.zipkinUrl, Buffer.from([0xff, 0xff, 0xff]), { encoding: "protobuf" });
    expect(r5.status).toBe(400);
    const r6 = await postZipkin(server.zipkinUrl, "[]", { contentType: "application/x-thrift" });
    expect(r6.status).toBe(415);
    const r7 = await fetch(`${server.zipkinUrl}/api/v2/spans`);
    expect(r7.status).toBe(405);
    expect(r7.headers.get("allow")).toBe("POST");
  });

  it("counts Zipkin requests in the ingest self-metrics", async () => {
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(text).toMatch(/cartograph_ingest_requests_total\{signal="traces",transport="zipkin",code="202"\} [4-9]/);
    expect(text).toMatch(/cartograph_ingest_requests_total\{signal="traces",transport="zipkin",code="400"\} \d/);
  });
});

describe("Zipkin ingest limits and backpressure (the HTTP port, with CARTOGRAPH_ZIPKIN_PORT=0)", () => {
  let small: RunningServer;
  beforeAll(async () => {
    small = await startServer({
      env: { CARTOGRAPH_QUEUE_MAX_BYTES: "20000", CARTOGRAPH_MAX_BODY_BYTES: "100000", CARTOGRAPH_ZIPKIN_PORT: "0" },
    });
  });
  afterAll(async () => small?.stop());

  it("sheds a body over the queue with 503 + Retry-After, and a decompressed body over the cap with 413", async () => {
    const body = JSON.stringify(large.slice(0, 100));
    expect(body.length).toBeGreaterThan(20000);
    const r = await postZipkin(small.baseUrl, body);
    expect(r.status).toBe(503);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const bomb = gzipSync(Buffer.from(JSON.stringify(large)));
    expect(bomb.length).toBeLessThan(20000);
    const r2 = await fetch(`${small.baseUrl}/api/v2/spans`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: bomb,
    });
    expect(r2.status).toBe(413);
    expect((await postZipkin(small.baseUrl, rpc.slice(0, 3))).status).toBe(202);
  });

  it("starts no Zipkin listener when CARTOGRAPH_ZIPKIN_PORT=0", async () => {
    expect(small.output()).not.toMatch(/Zipkin listening/);
    await expect(fetch(`${small.zipkinUrl}/api/v2/spans`, { method: "POST", body: "[]" })).rejects.toThrow();
  });
});
