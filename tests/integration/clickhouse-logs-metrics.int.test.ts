import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClickHouse, type LoopbackClickHouse } from "../helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore, type LogFilter, type TelemetryStore } from "../../server/store";
import { createSqliteStore, openStoreForWriting } from "../../server/store/sqlite";
import type { LogRecord, MetricPoint } from "../../server/normalize";

/**
 * Metrics and logs in ClickHouse (Debian's 18.16 here) answer what the embedded SQLite store
 * answers for the same lines: the same records go through both stores' append paths and every
 * log read (filters, free text, attribute fallback to the resource, paging, counts) is compared.
 */
let ch: LoopbackClickHouse;
let store: ClickHouseStore;
let sqlite: TelemetryStore;

const T0 = Date.UTC(2026, 10, 30, 8, 0, 0);
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const TRACE = "ab".repeat(16);

const BODIES = [
  "card declined by issuer",
  "Payment TIMEOUT after 3 retries",
  "café crème served",
  "database timeout on orders-db",
  "user logged in",
  "timeouts exceeded budget",
  "card-declined: insufficient funds",
];

function line(i: number): LogRecord {
  const service = i % 3 === 0 ? "checkout" : "payments";
  const atMs = T0 + i * 1_700;
  const body = i % 11 === 5 ? { event: "refund", amount: i, note: "card declined" } : BODIES[i % BODIES.length]!;
  return {
    timeNs: ns(atMs) + BigInt(i),
    observedNs: ns(atMs + 5),
    severityNumber: [0, 5, 9, 13, 17, 21, 18][i % 7]!,
    severityText: ["", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "ERROR2"][i % 7]!,
    body,
    attributes: {
      region: i % 2 ? "eu" : "us",
      attempt: i % 4,
      retried: i % 5 === 0,
      ...(i % 6 === 0 ? { zone: "line-z" } : {}),
    },
    traceId: i % 10 === 0 ? TRACE : null,
    spanId: i % 10 === 0 ? "cd".repeat(8) : null,
    flags: 0,
    scope: i % 2 ? { name: "app", version: "1" } : { name: "", version: "" },
    resource: {
      service,
      namespace: null,
      environment: null,
      attributes: { "service.name": service, zone: service === "checkout" ? "res-a" : "res-b" },
    },
  };
}

const LINES = Array.from({ length: 240 }, (_, i) => line(i));
const WINDOW = { fromNs: ns(T0), toNs: ns(T0 + 3_600_000) };

beforeAll(async () => {
  ch = await startClickHouse();
  store = openClickHouseStore({
    urls: [ch.nodes[0]!.url],
    database: "cg_logs_metrics",
    user: "default",
    password: "",
    cluster: null,
  });
  await store.migrate();
  sqlite = createSqliteStore(openStoreForWriting(mkdtempSync(path.join(os.tmpdir(), "cartograph-chlm-"))));
  expect((await sqlite.ingest.append([{ spans: [], points: [], logs: LINES }], T0)).logsStored).toBe(LINES.length);
  expect((await store.ingest.append([{ spans: [], points: [], logs: LINES }], T0)).logsStored).toBe(LINES.length);
}, 90_000);

afterAll(async () => {
  await store?.close();
  await sqlite?.close();
  await ch?.stop();
});

async function bothSearch(f: LogFilter) {
  return { lite: (await sqlite.logs.searchLogs(f, 1000)).logs, ch: (await store.logs.searchLogs(f, 1000)).logs };
}

describe("logs in ClickHouse", () => {
  it("a replayed batch stores nothing twice", async () => {
    expect((await store.ingest.append([{ spans: [], points: [], logs: LINES.slice(0, 50) }], T0)).logsStored).toBe(0);
  });

  it.each<[string, Partial<LogFilter>]>([
    ["everything", {}],
    ["one service", { service: "payments" }],
    ["min severity", { minSeverity: 17 }],
    ["a word, any case", { text: "TIMEOUT" }],
    ["two words, accents folded", { text: "cafe creme" }],
    ["a phrase", { text: '"card declined"' }],
    ["a prefix", { text: "time*" }],
    ["a word inside a JSON body", { text: "refund" }],
    ["a line attribute", { attributes: [{ key: "region", value: "eu" }] }],
    [
      "a numeric and a boolean attribute as text",
      {
        attributes: [
          { key: "attempt", value: "3" },
          { key: "retried", value: "1" },
        ],
      },
    ],
    ["the line's attribute before the resource's", { attributes: [{ key: "zone", value: "line-z" }] }],
    ["the resource's attribute when the line has none", { attributes: [{ key: "zone", value: "res-a" }] }],
    ["a trace", { traceId: TRACE.toUpperCase() }],
    [
      "everything at once",
      { service: "payments", minSeverity: 9, text: "card", attributes: [{ key: "region", value: "eu" }] },
    ],
    ["nothing searchable", { text: "-- !!" }],
  ])("search: %s matches the embedded store", async (_name, extra) => {
    const r = await bothSearch({ ...WINDOW, ...extra });
    expect(r.ch).toEqual(r.lite);
    if (extra.text !== "-- !!") expect(r.ch.length).toBeGreaterThan(0);
  });

  it("pages newest first with an opaque cursor until the end, every line once", async () => {
    const seen: bigint[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await store.logs.searchLogs({ ...WINDOW, service: "payments" }, 37, cursor);
      seen.push(...r.logs.map((l) => l.timeNs));
      if (!r.nextCursor) break;
      expect(store.logs.isLogCursor(r.nextCursor)).toBe(true);
      cursor = r.nextCursor;
    }
    const expected = LINES.filter((l) => l.resource.service === "payments")
      .map((l) => l.timeNs)
      .sort((a, b) => (a < b ? 1 : -1));
    expect(seen).toEqual(expected);
    expect(store.logs.isLogCursor("'; DROP TABLE logs")).toBe(false);
  });

  it("counts per step and severity (minute counts and raw lines) and per service like the embedded store", async () => {
    const sort = <T extends { t: number; severityRange: number }>(rows: T[]) =>
      [...rows].sort((a, b) => a.t - b.t || a.severityRange - b.severityRange);
    for (const f of [
      { ...WINDOW },
      { ...WINDOW, service: "checkout", minSeverity: 13 },
      { ...WINDOW, text: "declined" },
    ]) {
      for (const step of [60_000, 300_000, 45_000])
        expect(sort(await store.logs.countLogs(f, step))).toEqual(sort(await sqlite.logs.countLogs(f, step)));
    }
    const byService = (rows: { service: string; count: number }[]) =>
      [...rows].sort((a, b) => a.service.localeCompare(b.service));
    const f = { ...WINDOW, minSeverity: 17, text: "card" };
    expect(byService(await store.logs.countLogsByService(f))).toEqual(
      byService(await sqlite.logs.countLogsByService(f)),
    );
    expect((await store.logs.listLogServices(T0)).sort()).toEqual((await sqlite.logs.listLogServices(T0)).sort());
    expect(await store.logs.listLogServices(T0 + 86_400_000)).toEqual([]);
  });

  it("reads a trace's lines oldest first", async () => {
    const lite = await sqlite.logs.readTraceLogs(TRACE);
    expect(lite.length).toBe(24);
    expect(await store.logs.readTraceLogs(TRACE)).toEqual(lite);
  });
});

function point(
  service: string,
  name: string,
  attrs: MetricPoint["attributes"],
  atMs: number,
  over: Partial<MetricPoint> = {},
): MetricPoint {
  return {
    service,
    resource: { service, namespace: null, environment: null, attributes: { "service.name": service } },
    name,
    description: "d",
    unit: "1",
    type: "sum",
    temporality: 2,
    monotonic: true,
    attributes: attrs,
    startNs: ns(T0),
    timeNs: ns(atMs),
    value: atMs - T0,
    count: null,
    sum: null,
    detail: null,
    ...over,
  };
}

describe("metrics in ClickHouse", () => {
  const hist = { bounds: [1, 5, 10], counts: [1, 2, 3, 4] };
  const points = [
    ...[0, 10_000, 20_000].flatMap((d) => [
      point("api", "requests", { route: "/a" }, T0 + d),
      point("api", "requests", { route: "/b" }, T0 + d),
    ]),
    point("api", "latency", {}, T0, { type: "histogram", value: null, count: 10, sum: 42.5, detail: hist, unit: "ms" }),
    point("worker", "requests", { route: "/a" }, T0, {
      type: "gauge",
      temporality: 0,
      monotonic: false,
      value: Number.NaN,
    }),
  ];

  beforeAll(async () => {
    expect((await store.ingest.append([{ spans: [], points, logs: [] }], T0)).pointsStored).toBe(points.length);
    // The embedded store is what the semantics are measured against: same points, same counts.
    expect((await sqlite.ingest.append([{ spans: [], points, logs: [] }], T0)).pointsStored).toBe(points.length);
  });

  it("every metric read equals the embedded store's (series in any order, keys opaque)", async () => {
    for (const svc of [undefined, "api", "worker"])
      expect(await store.metrics.listMetrics(T0, svc)).toEqual(await sqlite.metrics.listMetrics(T0, svc));
    expect(await store.metrics.listMetricServices("requests")).toEqual(
      await sqlite.metrics.listMetricServices("requests"),
    );
    for (const [svc, name] of [
      ["api", "requests"],
      ["api", "latency"],
      ["worker", "requests"],
    ] as const) {
      const byAttrs = async (s: TelemetryStore) => {
        const series = await s.metrics.readMetricSeries(svc, name, 50);
        const out = await Promise.all(
          series.map(async ({ key, ...rest }) => ({
            ...rest,
            points: await s.metrics.readMetricPoints(key, ns(T0 - 1000), ns(T0 + 60_000)),
          })),
        );
        return out.sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
      };
      expect(await byAttrs(store)).toEqual(await byAttrs(sqlite));
    }
  });

  it("lists metrics and series, and stores a replay once", async () => {
    expect((await store.ingest.append([{ spans: [], points, logs: [] }], T0 + 1000)).pointsStored).toBe(0);
    expect(await store.metrics.listMetrics(T0, "api")).toEqual([
      {
        service: "api",
        name: "latency",
        type: "histogram",
        unit: "ms",
        description: "d",
        monotonic: true,
        temporality: 2,
        series: 1,
      },
      {
        service: "api",
        name: "requests",
        type: "sum",
        unit: "1",
        description: "d",
        monotonic: true,
        temporality: 2,
        series: 2,
      },
    ]);
    expect((await store.metrics.listMetrics(T0)).map((m) => `${m.service}/${m.name}/${m.type}`)).toEqual([
      "api/latency/histogram",
      "api/requests/sum",
      "worker/requests/gauge",
    ]);
    // The replay (at T0 + 1 s) saw every series again: last seen widens, as an upsert would.
    expect(await store.metrics.listMetrics(T0 + 1000)).toHaveLength(3);
    expect(await store.metrics.listMetrics(T0 + 1001)).toEqual([]);
    expect(await store.metrics.listMetricServices("requests")).toEqual(["api", "worker"]);
    const series = await store.metrics.readMetricSeries("api", "requests", 50);
    expect(new Set(series.map((s) => s.attributes.route))).toEqual(new Set(["/a", "/b"]));
    expect(await store.metrics.readMetricSeries("api", "requests", 1)).toHaveLength(1);
  });

  it("reads a series' points in [from, to) oldest first, histograms with their buckets, NaN as no value", async () => {
    const [a] = (await store.metrics.readMetricSeries("api", "requests", 50)).filter(
      (s) => s.attributes.route === "/a",
    );
    const pts = await store.metrics.readMetricPoints(a!.key, ns(T0), ns(T0 + 20_000));
    expect(pts).toEqual([
      { timeMs: T0, value: 0, count: null, sum: null, detail: null },
      { timeMs: T0 + 10_000, value: 10_000, count: null, sum: null, detail: null },
    ]);
    const [h] = await store.metrics.readMetricSeries("api", "latency", 50);
    expect(await store.metrics.readMetricPoints(h!.key, ns(T0), ns(T0 + 1))).toEqual([
      { timeMs: T0, value: null, count: 10, sum: 42.5, detail: hist },
    ]);
    const [g] = await store.metrics.readMetricSeries("worker", "requests", 50);
    expect(g).toMatchObject({ type: "gauge", temporality: 0, monotonic: false });
    // NaN reads back as no value, as in the embedded store (which binds NaN as NULL).
    expect((await store.metrics.readMetricPoints(g!.key, ns(T0), ns(T0 + 1)))[0]!.value).toBeNull();
  });

  it("retention drops metric points and log lines by whole days", async () => {
    const dropped = await store.dropExpired(T0 + 2 * 86_400_000, T0 - 86_400_000);
    expect(dropped).toEqual(expect.arrayContaining(["metric_points/2026-11-30", "logs/2026-11-30"]));
    expect((await store.logs.searchLogs(WINDOW, 10)).logs).toEqual([]);
    // Rollup-aged tables (the series catalog, minute counts) keep their younger days.
    expect(await store.logs.listLogServices(T0)).toEqual(["checkout", "payments"]);
  });
});
