import { describe, expect, it } from "vitest";
import { decodeTraceRequest, TraceRequest } from "../decode";
import { normalizeTraces } from "./normalize-traces";
import { readSemconv } from "./semconv";

const limits = { maxValueLength: 100, maxDepth: 4, maxAttributes: 10 };
const stats = () => ({ truncatedValues: 0, droppedAttributes: 0 });

const traceHex = "5b8efff798038103d269b633813fc60c";
const spanHex = "eee19b7ec3c1b174";
const parentHex = "eee19b7ec3c1b173";

const json = {
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: "service.name", value: { stringValue: "checkout" } },
          { key: "deployment.environment", value: { stringValue: "prod" } },
        ],
      },
      scopeSpans: [
        {
          scope: { name: "my.lib", version: "1.0" },
          spans: [
            {
              traceId: traceHex.toUpperCase(),
              spanId: spanHex,
              parentSpanId: parentHex,
              name: "SELECT",
              kind: 3,
              startTimeUnixNano: "1764070000123456789",
              endTimeUnixNano: "__RAW_NUMBER__",
              attributes: [
                { key: "db.system", value: { stringValue: "postgresql" } },
                { key: "net.peer.name", value: { stringValue: "DB-Main." } },
                { key: "n", value: { intValue: "42" } },
                { key: "d", value: { doubleValue: 1.5 } },
                { key: "b", value: { boolValue: true } },
                { key: "arr", value: { arrayValue: { values: [{ stringValue: "x" }, { intValue: 1 }] } } },
                { key: "map", value: { kvlistValue: { values: [{ key: "inner", value: { stringValue: "v" } }] } } },
                { key: "long", value: { stringValue: "z".repeat(500) } },
              ],
              status: { code: 2, message: "boom" },
              events: [{ timeUnixNano: "1764070000200000000", name: "e", attributes: [] }],
              links: [{ traceId: traceHex, spanId: parentHex }],
            },
          ],
        },
      ],
    },
  ],
};

describe("decode + normalize", () => {
  it("gives the same spans from OTLP/JSON (a 64-bit timestamp as a bare JSON number) and OTLP/protobuf, with exact nanoseconds", () => {
    const fromJson = normalizeTraces(
      decodeTraceRequest(Buffer.from(JSON.stringify(json).replace('"__RAW_NUMBER__"', "1764070000223456789")), "json"),
      limits,
      stats(),
    );
    // Same message through the protobuf codec.
    const proto = TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: [
          {
            resource: json.resourceSpans[0]!.resource,
            scopeSpans: [
              {
                scope: json.resourceSpans[0]!.scopeSpans[0]!.scope,
                spans: [
                  {
                    ...json.resourceSpans[0]!.scopeSpans[0]!.spans[0]!,
                    traceId: Buffer.from(traceHex, "hex"),
                    spanId: Buffer.from(spanHex, "hex"),
                    parentSpanId: Buffer.from(parentHex, "hex"),
                    startTimeUnixNano: "1764070000123456789",
                    endTimeUnixNano: "1764070000223456789",
                    events: [{ timeUnixNano: "1764070000200000000", name: "e" }],
                    links: [{ traceId: Buffer.from(traceHex, "hex"), spanId: Buffer.from(parentHex, "hex") }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const fromProto = normalizeTraces(decodeTraceRequest(proto, "protobuf"), limits, stats());
    expect(fromJson.rejected).toBe(0);
    expect(fromProto.items).toEqual(fromJson.items);
    const s = fromJson.items[0]!;
    expect(s.traceId).toBe(traceHex);
    expect(s.startNs).toBe(1764070000123456789n);
    expect(s.endNs).toBe(1764070000223456789n);
    expect(s.resource).toMatchObject({ service: "checkout", environment: "prod", namespace: null });
    expect(s.attributes).toMatchObject({ n: 42, d: 1.5, b: true, arr: ["x", 1], "map.inner": "v" });
    expect((s.attributes.long as string).length).toBe(100);
    expect(s.statusCode).toBe(2);
    expect(s.events[0]!.timeUnixNano).toBe(1764070000200000000n);
  });

  it("defaults service.name to unknown_service and counts truncation and dropped attributes", () => {
    const st = stats();
    const many = Array.from({ length: 15 }, (_, i) => ({
      key: `k${i}`,
      value: { stringValue: "y".repeat(i === 0 ? 101 : 1) },
    }));
    const r = normalizeTraces(
      {
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: traceHex,
                    spanId: spanHex,
                    startTimeUnixNano: "1",
                    endTimeUnixNano: "2",
                    attributes: many,
                  },
                ],
              },
            ],
          },
        ],
      },
      limits,
      st,
    );
    expect(r.items[0]!.resource.service).toBe("unknown_service");
    expect(Object.keys(r.items[0]!.attributes)).toHaveLength(10);
    expect(st).toEqual({ truncatedValues: 1, droppedAttributes: 5 });
  });

  it("reads old and new semantic-convention names the same way", () => {
    const oldNames = readSemconv({
      "db.system": "postgresql",
      "db.name": "shop",
      "net.peer.name": "DB-Main.",
      "net.peer.port": 5432,
      "http.method": "GET",
      "peer.service": "billing",
    });
    const newNames = readSemconv({
      "db.system.name": "postgresql",
      "db.namespace": "shop",
      "server.address": "db-main",
      "server.port": 5432,
      "http.request.method": "GET",
      "service.peer.name": "billing",
    });
    for (const k of ["dbSystem", "dbNamespace", "serverAddress", "serverPort", "httpMethod", "peerService"] as const) {
      expect(oldNames[k], k).toEqual(newNames[k]);
    }
    expect(readSemconv({ "url.full": "https://API.stripe.com:8443/v1/charges" })).toMatchObject({
      serverAddress: "api.stripe.com",
      serverPort: 8443,
    });
    expect(readSemconv({ "rpc.method": "shop.Payments/Charge" })).toMatchObject({
      rpcService: "shop.Payments",
      rpcMethod: "Charge",
    });
  });
});
