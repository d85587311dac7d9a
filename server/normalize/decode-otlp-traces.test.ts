import $protobuf from "protobufjs/minimal.js";
import { describe, expect, it } from "vitest";
import { DecodeError, decodeTraceRequest, TraceRequest } from "../decode";
import { decodeTraceSpans } from "./decode-otlp-traces";
import { normalizeTraces } from "./normalize-traces";

const limits = { maxValueLength: 40, maxDepth: 3, maxAttributes: 8 };
const stats = () => ({ truncatedValues: 0, droppedAttributes: 0 });

/** The reference (generic protobuf objects, then normalize) and the direct decoder on the same bytes. */
function both(body: Uint8Array) {
  const refStats = stats();
  const ref = normalizeTraces(decodeTraceRequest(body, "protobuf"), limits, refStats);
  const directStats = stats();
  const direct = decodeTraceSpans(Buffer.from(body), limits, directStats);
  return { ref, refStats, direct, directStats };
}

function expectSame(body: Uint8Array): ReturnType<typeof both> {
  const r = both(body);
  expect(r.direct.items).toEqual(r.ref.items);
  expect(r.direct.rejected).toBe(r.ref.rejected);
  expect(r.direct.reasons).toEqual(r.ref.reasons);
  expect(r.directStats).toEqual(r.refStats);
  return r;
}

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const bytes = (n: number, zero = false) =>
  Buffer.from(Array.from({ length: n }, () => (zero ? 0 : 1 + Math.floor(rand() * 255))));

const scalars = (): unknown[] => [
  { stringValue: "v" },
  { stringValue: "" },
  { stringValue: "long-".repeat(20) },
  { stringValue: "ünïcødé ✓" },
  { boolValue: true },
  { boolValue: false },
  { intValue: 42 },
  { intValue: -7 },
  { intValue: "9007199254740993" },
  { intValue: "-9223372036854775808" },
  { intValue: "9007199254740991" },
  { intValue: "-9007199254740992" },
  { doubleValue: 1.5 },
  { doubleValue: -0.25 },
  { bytesValue: bytes(5) },
  {},
];

/** A random AnyValue; nested ones (past the limit's depth of 3 at times) a fifth of the time. */
function randomValue(depth: number): unknown {
  if (depth > 4 || rand() < 0.8) return pick(scalars());
  if (rand() < 0.1) return { arrayValue: {} };
  if (rand() < 0.5) return { arrayValue: { values: [randomValue(depth + 1), randomValue(depth + 1)] } };
  return {
    kvlistValue: {
      values: [
        { key: "a", value: randomValue(depth + 1) },
        { key: "2", value: randomValue(depth + 1) },
        { key: "", value: { stringValue: "x" } },
        { key: "nil" },
      ],
    },
  };
}

const attrs = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    rand() < 0.05
      ? { key: "", value: { stringValue: "no key" } }
      : { key: rand() < 0.03 ? "k".repeat(300) : `k${i % 6}`, value: rand() < 0.05 ? undefined : randomValue(1) },
  );

function randomSpan() {
  const roll = rand();
  const start = BigInt(Math.floor(rand() * 2 ** 40)) * 1000n;
  return {
    traceId: roll < 0.03 ? bytes(16, true) : roll < 0.05 ? bytes(15) : roll < 0.06 ? undefined : bytes(16),
    spanId: roll > 0.97 ? bytes(8, true) : roll > 0.96 ? bytes(9) : bytes(8),
    parentSpanId:
      rand() < 0.3 ? undefined : rand() < 0.05 ? bytes(8, true) : rand() < 0.05 ? Buffer.alloc(0) : bytes(8),
    name: rand() < 0.1 ? undefined : pick(["GET /", "SELECT", "", "send"]),
    kind: rand() < 0.03 ? 9 : rand() < 0.03 ? -1 : Math.floor(rand() * 6),
    startTimeUnixNano: rand() < 0.02 ? undefined : start.toString(),
    endTimeUnixNano: (rand() < 0.03 ? start - 5n : rand() < 0.02 ? 2n ** 63n + 1n : start + 12345n).toString(),
    attributes: attrs(Math.floor(rand() * 12)),
    status:
      rand() < 0.3 ? undefined : { code: rand() < 0.03 ? 7 : Math.floor(rand() * 3), message: pick(["", "boom"]) },
    events: rand() < 0.7 ? [] : [{ timeUnixNano: "123", name: "ev", attributes: attrs(3) }, { name: "bare" }],
    links:
      rand() < 0.7
        ? []
        : [
            { traceId: bytes(16), spanId: bytes(8), attributes: attrs(2) },
            { traceId: bytes(16, true), spanId: bytes(8), attributes: attrs(2) },
          ],
  };
}

function randomRequest() {
  return {
    resourceSpans: Array.from({ length: 1 + Math.floor(rand() * 3) }, () => ({
      resource:
        rand() < 0.1
          ? undefined
          : {
              attributes: [
                ...(rand() < 0.9
                  ? [{ key: "service.name", value: { stringValue: pick(["checkout", "cart", ""]) } }]
                  : []),
                { key: "deployment.environment", value: { stringValue: "prod" } },
                ...(rand() < 0.1
                  ? [
                      {
                        key: "deep",
                        value: {
                          arrayValue: {
                            values: [{ arrayValue: { values: [{ arrayValue: { values: [{ intValue: 1 }] } }] } }],
                          },
                        },
                      },
                    ]
                  : []),
                ...attrs(3),
              ],
            },
      scopeSpans: Array.from({ length: Math.floor(rand() * 3) }, () => ({
        scope: rand() < 0.2 ? undefined : { name: "lib", version: rand() < 0.5 ? "1.0" : undefined },
        spans: Array.from({ length: Math.floor(rand() * 8) }, randomSpan),
      })),
    })),
  };
}

describe("decodeTraceSpans (protobuf bytes straight to spans)", () => {
  it("gives exactly the reference decoder's spans, rejections, reasons and counts on 300 random requests", () => {
    let spans = 0;
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const body = TraceRequest.encode(TraceRequest.fromObject(randomRequest())).finish();
      const r = expectSame(body);
      spans += r.direct.items.length;
      rejected += r.direct.rejected;
    }
    // The corpus exercises both outcomes.
    expect(spans).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(50);
  });

  it("reads a resource and a scope written after their spans, and merges a repeated status", () => {
    const w = $protobuf.Writer.create();
    const span = $protobuf.Writer.create();
    span.uint32((1 << 3) | 2).bytes(bytes(16));
    span.uint32((2 << 3) | 2).bytes(bytes(8));
    span.uint32((6 << 3) | 0).int32(2);
    span
      .uint32((15 << 3) | 2)
      .fork()
      .uint32((3 << 3) | 0)
      .int32(2)
      .ldelim();
    span
      .uint32((15 << 3) | 2)
      .fork()
      .uint32((2 << 3) | 2)
      .string("late message")
      .ldelim();
    span.uint32((5 << 3) | 2).string("first");
    span.uint32((5 << 3) | 2).string("last wins");
    const scopeSpans = $protobuf.Writer.create();
    scopeSpans.uint32((2 << 3) | 2).bytes(span.finish());
    scopeSpans
      .uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .string("late.scope")
      .ldelim();
    const rs = $protobuf.Writer.create();
    rs.uint32((2 << 3) | 2).bytes(scopeSpans.finish());
    const resource = TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "late" } }] } }],
      }),
    ).finish();
    // The ResourceSpans bytes of `resource` (field 1 of the request) appended after the scope spans.
    const inner = $protobuf.Reader.create(resource);
    inner.uint32();
    rs.uint32((1 << 3) | 2).bytes(inner.bytes().subarray(2));
    w.uint32((1 << 3) | 2).bytes(rs.finish());
    const body = w.finish();
    const r = expectSame(body);
    expect(r.direct.items).toHaveLength(1);
    expect(r.direct.items[0]).toMatchObject({
      name: "last wins",
      statusCode: 2,
      statusMessage: "late message",
      scope: { name: "late.scope", version: "" },
      resource: { service: "late" },
    });
  });

  it("keeps the last member of an AnyValue that sets two, and skips unknown fields", () => {
    const value = $protobuf.Writer.create();
    value.uint32((1 << 3) | 2).string("replaced");
    value.uint32((99 << 3) | 0).uint32(5);
    value.uint32((3 << 3) | 0).int64(12);
    const kv = $protobuf.Writer.create();
    kv.uint32((1 << 3) | 2).string("k");
    kv.uint32((2 << 3) | 2).bytes(value.finish());
    const span = $protobuf.Writer.create();
    span.uint32((1 << 3) | 2).bytes(bytes(16));
    span.uint32((2 << 3) | 2).bytes(bytes(8));
    span.uint32((9 << 3) | 2).bytes(kv.finish());
    span.uint32((42 << 3) | 2).string("unknown");
    const ss = $protobuf.Writer.create()
      .uint32((2 << 3) | 2)
      .bytes(span.finish())
      .finish();
    const rs = $protobuf.Writer.create()
      .uint32((2 << 3) | 2)
      .bytes(ss)
      .finish();
    const body = $protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(rs)
      .finish();
    const r = expectSame(body);
    expect(r.direct.items[0]!.attributes).toEqual({ k: 12 });
  });

  it("rejects bytes that are not protobuf with a DecodeError, as the reference does", () => {
    const good = TraceRequest.encode(TraceRequest.fromObject(randomRequest())).finish();
    for (const bad of [
      Buffer.from([0x0a, 0xff]),
      Buffer.from(good.subarray(0, good.length - 3)),
      Buffer.from([0x0f, 1, 2]),
    ]) {
      expect(() => decodeTraceRequest(bad, "protobuf")).toThrow(DecodeError);
      expect(() => decodeTraceSpans(bad, limits, stats())).toThrow(DecodeError);
    }
  });
});
