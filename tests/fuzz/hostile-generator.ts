import { gzipSync } from "node:zlib";
import { TraceRequest } from "../../server/decode";

/**
 * A seeded generator of hostile requests (mulberry32: the same seed gives the same requests,
 * so a failure reproduces with FUZZ_SEED=<seed>). Each request is what an attacker on the
 * network could send: mutated and truncated protobuf, extreme timestamps and ids, deep
 * nesting, gzip bombs, invalid UTF-8, hostile query strings, paths and JSON bodies.
 */

export interface HostileRequest {
  target: "otlp" | "api";
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  kind: string;
}

export function createRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rnd = ReturnType<typeof createRandom>;

const HOSTILE_VALUES = [
  "",
  "0",
  "-1",
  "1e300",
  "-1e300",
  "Infinity",
  "-Infinity",
  "NaN",
  "9".repeat(400),
  "-" + "9".repeat(400),
  "99999999999999",
  "18446744073709551615",
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "2024-02-30T25:61:61Z",
  "now",
  "now-7d",
  "null",
  "[]",
  "{}",
  "a\\b",
  '"',
  "'",
  "%",
  "%zz",
  "\u0000",
  "\uFFFF",
  "\uD800",
  "é".repeat(3000),
  "x".repeat(20_000),
  "../../etc/passwd",
  "<script>",
  "${jndi:x}",
  "~(a+)+$",
  "service:checkout",
  "key=value",
  "=",
  "a=b=c",
  "0x10",
  "1.5",
  " 1",
  "true",
  "\r\nX-Injected: 1",
];
const PARAMS = [
  "from",
  "to",
  "step",
  "limit",
  "minDurationMs",
  "maxDurationMs",
  "attr",
  "service",
  "operation",
  "status",
  "focus",
  "depth",
  "traceId",
  "source",
  "name",
  "agg",
  "rule",
  "severity",
  "state",
  "ruleId",
  "baselineFrom",
  "baselineTo",
];
const GET_PATHS = [
  "/api/v1/services",
  "/api/v1/services/:x/operations",
  "/api/v1/services/:x/timeseries",
  "/api/v1/service-map",
  "/api/v1/service-map/diff",
  "/api/v1/traces",
  "/api/v1/traces/:x",
  "/api/v1/metrics",
  "/api/v1/metrics/query",
  "/api/v1/violations",
  "/api/v1/coupling/metrics",
  "/api/v1/coupling/metrics/:x",
  "/api/v1/policy",
  "/api/v1/alert-rules",
  "/api/v1/alert-rules/:x",
  "/api/v1/alerts",
  "/api/v1/alerts/history",
  "/api/v1/silences",
  "/api/v1/notification-channels",
  "/api/v1/notification-channels/:x",
  "/api/v1/openapi.json",
  "/readyz",
  "/healthz",
  "/metrics",
];
const BODY_PATHS = [
  ["POST", "/api/v1/alert-rules"],
  ["POST", "/api/v1/alert-rules/preview"],
  ["PUT", "/api/v1/alert-rules/:x"],
  ["POST", "/api/v1/silences"],
  ["POST", "/api/v1/notification-channels"],
  ["PUT", "/api/v1/notification-channels/:x"],
  ["PUT", "/api/v1/policy"],
  ["DELETE", "/api/v1/alert-rules/:x"],
  ["DELETE", "/api/v1/silences/:x"],
  ["PATCH", "/api/v1/services"],
  ["POST", "/api/v1/traces"],
] as const;
const PATH_SEGMENTS = [
  "x",
  "%",
  "%zz",
  "%00",
  "..",
  "a%2Fb",
  "0".repeat(32),
  "g".repeat(32),
  "é",
  "%F0%9F%92%A9",
  "x".repeat(5000),
  "service%3Acheckout",
  "%C3%28",
];

function hex(r: Rnd, bytes: number): string {
  let s = "";
  for (let i = 0; i < bytes * 2; i++) s += "0123456789abcdef"[r.int(16)];
  return s;
}

function hostileJson(r: Rnd, depth = 0): unknown {
  const k = r.int(depth > 3 ? 4 : 9);
  switch (k) {
    case 0:
      return r.pick(HOSTILE_VALUES);
    case 1:
      return r.pick([0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1]);
    case 2:
      return r.pick([null, true, false]);
    case 3:
      return "x".repeat(r.int(3) === 0 ? 100_000 : 10);
    case 4:
    case 5:
      return Object.fromEntries(
        Array.from({ length: r.int(5) }, () => [
          r.pick([
            ...PARAMS,
            "type",
            "rule",
            "yaml",
            "policy",
            "matchers",
            "settings",
            "__proto__",
            "constructor",
            "threshold",
            "op",
            "signal",
            "windowSeconds",
            "url",
            "endsAt",
          ]),
          hostileJson(r, depth + 1),
        ]),
      );
    case 6:
      return Array.from({ length: r.int(4) }, () => hostileJson(r, depth + 1));
    case 7:
      return {
        type: r.pick(["service", "edge", "metric", "no-data", "coupling", "new-edge", "x"]),
        name: "fuzz",
        service: r.pick(["~(a+)+$", "*", "~[", "x"]),
        signal: "error_rate",
        op: ">",
        threshold: r.pick([1, 1e308, -1, "x"]),
        windowSeconds: r.pick([60, -1, 1e12]),
      };
    default:
      return {
        yaml: r.pick([
          "a: &a [1,1]\nb: [*a,*a]",
          "[".repeat(5000),
          "services: {x: 1}",
          "\t\u0000",
          "groups:\n  - name: a\n    services: [" + "x,".repeat(1000) + "]",
        ]),
      };
  }
}

function deepJson(levels: number): string {
  return "[".repeat(levels) + "]".repeat(levels);
}

function span(r: Rnd) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const extremes = [
    "0",
    "1",
    "18446744073709551615",
    "9223372036854775807",
    "9223372036854775808",
    String(now),
    "-1",
    "1e30",
    "abc",
  ];
  const start = r.int(3) === 0 ? r.pick(extremes) : String(now);
  const end = r.int(3) === 0 ? r.pick(extremes) : String(now + 1000n);
  const ids = ["", "00".repeat(16), hex(r, 16), hex(r, 8), "zz".repeat(16), hex(r, 16).toUpperCase(), "x".repeat(1000)];
  let attrValue: unknown = { stringValue: r.pick(HOSTILE_VALUES) };
  if (r.int(4) === 0)
    for (let i = 0; i < 40; i++) attrValue = { kvlistValue: { values: [{ key: "k", value: attrValue }] } };
  return {
    traceId: r.int(4) === 0 ? r.pick(ids) : hex(r, 16),
    spanId: r.int(4) === 0 ? r.pick(ids).slice(0, 16) : hex(r, 8),
    parentSpanId: r.int(5) === 0 ? r.pick(ids) : undefined,
    name: r.pick(HOSTILE_VALUES),
    kind: r.pick([0, 1, 2, 3, 6, -1, "SPAN_KIND_SERVER", 1e10]),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    status: r.int(3) === 0 ? { code: r.pick([0, 1, 2, 3, "x"]) } : undefined,
    attributes: [{ key: r.pick(HOSTILE_VALUES), value: attrValue }],
  };
}

function otlpJson(r: Rnd): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: {
          attributes: [{ key: "service.name", value: { stringValue: r.pick(["fuzz", ...HOSTILE_VALUES]) } }],
        },
        scopeSpans: [{ spans: Array.from({ length: 1 + r.int(4) }, () => span(r)) }],
      },
    ],
  });
}

function validProto(r: Rnd): Uint8Array {
  const now = Date.now() * 1e6;
  return TraceRequest.encode(
    TraceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "fuzz-proto" } }] },
          scopeSpans: [
            {
              spans: Array.from({ length: 1 + r.int(5) }, () => ({
                traceId: Buffer.from(hex(r, 16), "hex"),
                spanId: Buffer.from(hex(r, 8), "hex"),
                name: "p",
                kind: 2,
                startTimeUnixNano: now,
                endTimeUnixNano: now + 1000,
              })),
            },
          ],
        },
      ],
    }),
  ).finish();
}

function mutate(r: Rnd, bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const n = 1 + r.int(8);
  for (let i = 0; i < n; i++) out[r.int(out.length)] = r.int(256);
  return r.int(2) === 0 ? out.subarray(0, r.int(out.length)) : out;
}

const GZIP_BOMB = gzipSync(Buffer.alloc(8 * 1024 * 1024));

function otlpRequest(r: Rnd): HostileRequest {
  const proto = { "content-type": "application/x-protobuf" };
  const json = { "content-type": "application/json" };
  const k = r.int(11);
  const path = r.int(10) === 0 ? "/v1/metrics" : "/v1/traces";
  switch (k) {
    case 0:
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: proto,
        body: mutate(r, validProto(r)),
        kind: "mutated-protobuf",
      };
    case 1:
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: proto,
        body: Uint8Array.from({ length: r.int(200) }, () => r.int(256)),
        kind: "random-bytes",
      };
    case 2:
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: { ...proto, "content-encoding": "gzip" },
        body: GZIP_BOMB,
        kind: "gzip-bomb",
      };
    case 3: {
      const gz = gzipSync(otlpJson(r));
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: { ...json, "content-encoding": "gzip" },
        body: gz.subarray(0, r.int(gz.length)),
        kind: "truncated-gzip",
      };
    }
    case 4:
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: json,
        body: Buffer.concat([
          Buffer.from('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"'),
          Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
          Buffer.from('"}}]}}]}'),
        ]),
        kind: "invalid-utf8",
      };
    case 5:
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: json,
        body: `{"resourceSpans":${deepJson(1000 + r.int(50_000))}}`,
        kind: "deep-json",
      };
    case 6: {
      const t = otlpJson(r);
      return {
        target: "otlp",
        method: "POST",
        path,
        headers: json,
        body: t.slice(0, r.int(t.length)),
        kind: "truncated-json",
      };
    }
    case 7:
      return {
        target: "otlp",
        method: r.pick(["GET", "PUT", "DELETE", "POST"]),
        path,
        headers: {
          "content-type": r.pick(["text/plain", "application/json; charset=utf-7", "", "application/x-protobuf"]),
          "content-encoding": r.pick(["br", "gzip", "identity", "deflate"]),
        },
        body: "x",
        kind: "bad-headers",
      };
    default:
      return {
        target: "otlp",
        method: "POST",
        path: "/v1/traces",
        headers: json,
        body: otlpJson(r),
        kind: "extreme-spans",
      };
  }
}

function fillPath(r: Rnd, p: string): string {
  return p.replace(":x", () => r.pick(PATH_SEGMENTS));
}

function apiRequest(r: Rnd): HostileRequest {
  if (r.int(4) === 0) {
    const [method, p] = r.pick(BODY_PATHS);
    const raw =
      r.int(5) === 0
        ? r.pick(["{", "\u0000", "[".repeat(100_000), '{"a":' + '{"a":'.repeat(5000)])
        : JSON.stringify(hostileJson(r));
    return {
      target: "api",
      method,
      path: fillPath(r, p),
      headers: { "content-type": "application/json" },
      body: raw,
      kind: "hostile-body",
    };
  }
  const params = new URLSearchParams();
  for (let i = 0, n = r.int(5); i < n; i++) params.append(r.pick(PARAMS), r.pick(HOSTILE_VALUES));
  const raw = r.int(10) === 0 ? r.pick(["%", "%zz&from", "from=%E0%A4%A", "&&&==", "a[b]=c"]) : params.toString();
  const base =
    r.int(20) === 0
      ? r.pick([
          "//h:99999/",
          "//",
          "/api/v1/../v1/services",
          "/api/v1/services/%2e%2e",
          "/api/v1//services",
          "/\u0000",
        ])
      : fillPath(r, r.pick(GET_PATHS));
  return { target: "api", method: "GET", path: `${base}${raw ? "?" + raw : ""}`, headers: {}, kind: "hostile-query" };
}

export function generateRequest(r: Rnd): HostileRequest {
  return r.int(2) === 0 ? otlpRequest(r) : apiRequest(r);
}
