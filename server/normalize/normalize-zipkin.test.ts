import { describe, expect, it } from "vitest";
import { decodeZipkinSpans } from "../decode";
import { deriveSharedSpanId, normalizeZipkin, type StoredTimesLookup } from "./normalize-zipkin";
import { readSemconv } from "./semconv";
import { SpanKind, StatusCode } from "./types";

const limits = { maxValueLength: 20, maxDepth: 8, maxAttributes: 256 };
const NOW_NS = 1_800_000_000_000_000_000n;
const T = 1_764_400_000_000_000; // µs

function run(spans: object[], findStoredTimes?: StoredTimesLookup) {
  const stats = { truncatedValues: 0, droppedAttributes: 0 };
  const decoded = decodeZipkinSpans(Buffer.from(JSON.stringify(spans)), "json");
  return { ...normalizeZipkin(decoded, { limits, stats, nowNs: NOW_NS, findStoredTimes }), stats };
}
const base = {
  traceId: "463ac35c9f6413ad",
  id: "a2fb4a1d1a96d312",
  name: "get /api",
  localEndpoint: { serviceName: "frontend" },
};

describe("normalizeZipkin: Zipkin v2 → domain spans", () => {
  it("pads ids, converts µs to ns, maps kind, error tag, annotations and debug", () => {
    const { items } = run([
      {
        ...base,
        parentId: "1",
        kind: "CLIENT",
        timestamp: T,
        duration: 1500,
        debug: true,
        tags: { error: "refused", "http.method": "GET" },
        annotations: [{ timestamp: T + 5, value: "ws" }],
      },
    ]);
    const s = items[0]!;
    expect(s.traceId).toBe("0000000000000000463ac35c9f6413ad");
    expect(s.parentSpanId).toBe("0000000000000001");
    expect(s.kind).toBe(SpanKind.CLIENT);
    expect(s.startNs).toBe(BigInt(T) * 1000n);
    expect(s.endNs - s.startNs).toBe(1_500_000n);
    expect(s.statusCode).toBe(StatusCode.ERROR);
    expect(s.statusMessage).toBe("refused");
    expect(s.events).toEqual([{ timeUnixNano: BigInt(T + 5) * 1000n, name: "ws", attributes: {} }]);
    expect(s.attributes).toMatchObject({ "http.method": "GET", error: "refused", "zipkin.debug": true });
    expect(s.resource).toMatchObject({ service: "frontend", attributes: { "service.name": "frontend" } });
  });

  it("reads the remote endpoint as the peer: named, IP-only, and the caller of a server span", () => {
    const { items } = run([
      {
        ...base,
        id: "1",
        kind: "CLIENT",
        timestamp: T,
        duration: 1,
        remoteEndpoint: { serviceName: "memcache", ipv4: "10.0.0.9", port: 11211 },
      },
      { ...base, id: "2", kind: "CLIENT", timestamp: T, duration: 1, remoteEndpoint: { ipv4: "10.0.0.7", port: 8080 } },
      {
        ...base,
        id: "3",
        kind: "SERVER",
        timestamp: T,
        duration: 1,
        remoteEndpoint: { serviceName: "browser", ipv4: "192.168.0.2" },
      },
      { ...base, id: "4", timestamp: T, duration: 1, remoteEndpoint: { serviceName: "legacy" } },
      { ...base, id: "5", timestamp: T, duration: 1, parentId: "" },
    ]);
    expect(items[4]!.parentSpanId).toBeNull();
    expect(items[0]!.attributes).toMatchObject({
      "peer.service": "memcache",
      "network.peer.address": "10.0.0.9",
      "server.port": 11211,
      "db.system": "memcached",
    });
    expect(items[0]!.attributes["server.address"]).toBeUndefined();
    expect(readSemconv(items[1]!.attributes)).toMatchObject({
      serverAddress: "10.0.0.7",
      serverPort: 8080,
      peerService: null,
    });
    expect(items[2]!.attributes).toMatchObject({ "peer.service": "browser", "client.address": "192.168.0.2" });
    // Kindless spans stay INTERNAL as sent; the graph's Zipkin linker infers the client call.
    expect(items[3]!.kind).toBe(SpanKind.INTERNAL);
    expect(items[4]!.kind).toBe(SpanKind.INTERNAL);
  });

  it("types messaging spans by broker and destination, the broker standing in for a missing topic", () => {
    const { items } = run([
      {
        ...base,
        id: "1",
        kind: "PRODUCER",
        timestamp: T,
        duration: 1,
        remoteEndpoint: { serviceName: "kafka" },
        tags: { "kafka.topic": "orders" },
      },
      {
        ...base,
        id: "2",
        kind: "CONSUMER",
        timestamp: T,
        duration: 1,
        remoteEndpoint: { serviceName: "rabbitmq" },
        tags: { "rabbit.exchange": "", "rabbit.routing_key": "jobs", "rabbit.queue": "jobs-q" },
      },
      { ...base, id: "3", kind: "CONSUMER", timestamp: T, duration: 1, remoteEndpoint: { serviceName: "kafka" } },
    ]);
    expect(items.map((s) => [s.attributes["messaging.system"], s.attributes["messaging.destination.name"]])).toEqual([
      ["kafka", "orders"],
      ["rabbitmq", "jobs-q"],
      ["kafka", "kafka"],
    ]);
  });

  it("stores a shared server half under a derived id below its client, and moves its children there", () => {
    const client = {
      ...base,
      id: "b",
      parentId: "a",
      kind: "CLIENT",
      timestamp: T,
      duration: 900,
      remoteEndpoint: { serviceName: "backend" },
    };
    const server = {
      ...base,
      id: "b",
      parentId: "a",
      kind: "SERVER",
      shared: true,
      localEndpoint: { serviceName: "backend" },
    };
    const child = {
      ...base,
      id: "c",
      parentId: "b",
      timestamp: T + 10,
      duration: 5,
      localEndpoint: { serviceName: "backend" },
    };
    const { items } = run([server, child, client]);
    const derived = deriveSharedSpanId("0000000000000000463ac35c9f6413ad", "000000000000000b");
    expect(items[0]).toMatchObject({ spanId: derived, parentSpanId: "000000000000000b", kind: SpanKind.SERVER });
    // Times: the client's (the server half had none).
    expect(items[0]!.startNs).toBe(BigInt(T) * 1000n);
    expect(items[0]!.endNs).toBe(BigInt(T + 900) * 1000n);
    expect(items[0]!.attributes["cartograph.time_source"]).toBe("client");
    expect(items[1]!.parentSpanId).toBe(derived);
    expect(items[2]!.spanId).toBe("000000000000000b");
    expect(deriveSharedSpanId("0000000000000000463ac35c9f6413ad", "000000000000000b")).toBe(derived);
  });

  it("fills missing times from a stored client, else annotations, else its children, else the receive time; never drops", () => {
    const stored: StoredTimesLookup = (t, s) => (s === "000000000000000e" ? { startNs: 5n, endNs: 9n } : null);
    const { items, rejected } = run(
      [
        { ...base, id: "e", kind: "SERVER", shared: true },
        {
          ...base,
          id: "f",
          kind: "SERVER",
          annotations: [
            { timestamp: T + 100, value: "sr" },
            { timestamp: T + 400, value: "ss" },
          ],
        },
        { ...base, id: "10", kind: "SERVER", timestamp: T },
        { ...base, id: "11" },
        { ...base, id: "12", kind: "SERVER", shared: true },
        { ...base, id: "13", parentId: "12", timestamp: T + 50, duration: 20 },
        { ...base, id: "14", parentId: "12", timestamp: T + 30, duration: 10 },
      ],
      stored,
    );
    expect(rejected).toBe(0);
    expect(items.map((s) => [s.startNs, s.endNs, s.attributes["cartograph.time_source"]])).toEqual([
      [5n, 9n, "client"],
      [BigInt(T + 100) * 1000n, BigInt(T + 400) * 1000n, "annotations"],
      [BigInt(T) * 1000n, BigInt(T) * 1000n, "no-duration"],
      [NOW_NS, NOW_NS, "received"],
      [BigInt(T + 30) * 1000n, BigInt(T + 70) * 1000n, "children"],
      [BigInt(T + 50) * 1000n, BigInt(T + 70) * 1000n, undefined],
      [BigInt(T + 30) * 1000n, BigInt(T + 40) * 1000n, undefined],
    ]);
  });

  it("applies the attribute limits and refuses all-zero ids by naming the span", () => {
    const { items, stats } = run([
      { ...base, timestamp: T, duration: 1, tags: { "sql.query": "SELECT * FROM a_very_long_table_name" } },
    ]);
    expect((items[0]!.attributes["sql.query"] as string).length).toBe(20);
    expect(stats.truncatedValues).toBe(2);
    const bad = run([{ ...base, id: "0000", timestamp: T, duration: 1 }]);
    expect(bad.rejected).toBe(1);
    expect(bad.reasons[0]).toMatch(/span 0 id 0000 "get \/api": id: must not be all zeros/);
  });

  it("decodes the proto3 ListOfSpans like the JSON form", async () => {
    const { encodeListOfSpans } = await import("../../tests/fixtures/zipkin/zipkin-client");
    const span = {
      traceId: "463ac35c9f6413ad48485a3953bb6124",
      id: "a2fb4a1d1a96d312",
      parentId: "0020000000000001",
      kind: "SERVER" as const,
      name: "get",
      timestamp: T,
      duration: 207000,
      localEndpoint: { serviceName: "backend", ipv4: "192.168.99.101", port: 9000 },
      remoteEndpoint: { serviceName: "frontend", ipv4: "172.19.0.2", port: 58648 },
      tags: { "http.path": "/api" },
      annotations: [{ timestamp: T + 1, value: "wr" }],
      shared: true,
      debug: true,
    };
    const [fromProto] = decodeZipkinSpans(encodeListOfSpans([span]), "protobuf");
    const [fromJson] = decodeZipkinSpans(Buffer.from(JSON.stringify([span])), "json");
    expect(fromProto).toEqual(fromJson);
  });
});
