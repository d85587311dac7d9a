import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { startClickHouse, type LoopbackClickHouse } from "../helpers/clickhouse";
import { startClickHouseInstance, type ClickHouseInstance } from "../helpers/clickhouse-instance";
import { startServer, type RunningServer } from "../helpers/start-server";
import { sendFleetTraffic, SplitExporter } from "../helpers/fleet-traffic";
import { runDuePairingPasses } from "../../server/aggregate/servicegraph";
import { getServiceMap } from "../../server/query";
import type { ClickHouseStore } from "../../server/store";

/**
 * The multi-instance graph stays exact: the same real SDK traffic goes whole to a
 * single-instance SQLite Cartograph and, span by span at random, to two instances writing into
 * a two-shard ClickHouse cluster. After the leader's pairing passes, the ClickHouse map (nodes,
 * per-edge counts, latency percentiles, completeness) and the stored traces equal SQLite's.
 */
let ch: LoopbackClickHouse;
let sqlite: RunningServer;
let a: ClickHouseInstance;
let b: ClickHouseInstance;
const TRACES = 120;
const SPACING_MS = 1500;
const baseMs = Math.floor((Date.now() - 8 * 60_000) / 60_000) * 60_000 + 7_000;
const fromMs = Math.floor(baseMs / 60_000) * 60_000;
const toMs = fromMs + 5 * 60_000;
let traceIds: string[] = [];

// A generous timeout: the machine is shared with other suites; a slow answer is not what this test is about.
const exporter = (url: string) => new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 60_000 });

beforeAll(async () => {
  const t0 = Date.now();
  [ch, sqlite] = await Promise.all([
    startClickHouse({ shards: 2 }),
    startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "1000", CARTOGRAPH_ROLLUP_FLUSH_MS: "200" } }),
  ]);
  // Each instance talks to its own shard first; both apply the schema at once (idempotent).
  [a, b] = await Promise.all([
    startClickHouseInstance([ch.nodes[0]!, ch.nodes[1]!], ch.cluster),
    startClickHouseInstance([ch.nodes[1]!, ch.nodes[0]!], ch.cluster),
  ]);
  console.log(`started in ${Date.now() - t0} ms`);
  traceIds = await sendFleetTraffic(
    () => new SplitExporter(exporter(sqlite.otlpHttpUrl), [exporter(a.otlpHttpUrl), exporter(b.otlpHttpUrl)]),
    { baseMs, traces: TRACES, spacingMs: SPACING_MS },
  );
  await Promise.all([a.flushRollups(), b.flushRollups()]);
  console.log(`traffic sent at ${Date.now() - t0} ms`);
}, 180_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([sqlite?.stop(), ch?.stop()]);
});

type AnyMap = { nodes: any[]; edges: any[]; completeness: any };

/** What a user compares on two maps: nodes with their traffic, edges with counts and latency, completeness. */
function summarize(m: AnyMap) {
  const stats = (s: any) =>
    s ? { requests: s.requests, errors: s.errors, p50: s.p50Ms, p95: s.p95Ms, p99: s.p99Ms } : null;
  return {
    nodes: m.nodes
      .map((n) => ({
        id: n.id,
        kind: n.kind,
        name: n.name,
        health: n.health,
        instrumented: n.instrumented,
        stats: stats(n.stats),
        detail: n.detail ?? null,
      }))
      .sort((x, y) => x.id.localeCompare(y.id)),
    edges: m.edges
      .map((e) => ({
        id: e.id,
        protocol: e.protocol,
        connects: e.connects,
        tables: [...e.tables].sort(),
        health: e.health,
        client: stats(e.clientStats),
        server: stats(e.serverStats),
      }))
      .sort((x, y) => x.id.localeCompare(y.id)),
    completeness: m.completeness,
  };
}

/** The map as the query stage answers it, with a cold block cache (it is per reader object). */
const clickHouseMap = (store: ClickHouseStore, q: { fromMs: number; toMs: number }) => getServiceMap({ ...store }, q);

async function settledSqliteMap(): Promise<AnyMap> {
  let last = "";
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = await sqlite.get<AnyMap>(`/api/v1/service-map?from=${fromMs}&to=${toMs}`);
    const text = JSON.stringify(summarize(m));
    if (text === last && m.edges.length > 0) return m;
    if (Date.now() > deadline) throw new Error(`SQLite map did not settle: ${text}`);
    last = text;
    await new Promise((r) => setTimeout(r, 1500));
  }
}

describe("ClickHouse cluster: two instances, two shards, traffic split at random", () => {
  it("stores every acknowledged span once, each trace whole", async () => {
    const stored = await a.store.countStoredSpans();
    expect(a.accepted() + b.accepted()).toBe(stored);
    const sample = traceIds.filter((_, i) => i % 12 === 0);
    const fromCh = await b.store.readTracesSpans(sample);
    for (const id of sample) {
      const sq = await sqlite.get<{ spans: { spanId: string }[] }>(`/api/v1/traces/${id}`);
      expect((fromCh.get(id) ?? []).map((s) => s.spanId).sort()).toEqual(sq.spans.map((s) => s.spanId).sort());
    }
  });

  it("the map, per-edge counts, percentiles and completeness equal the single-instance SQLite answer", async () => {
    const passes = await runDuePairingPasses(a.store, {
      stepMs: 10_000,
      settleMs: 10_000,
      nowMs: Date.now(),
      startMs: fromMs,
    });
    expect(passes).toBeGreaterThan(20);
    const expected = summarize(await settledSqliteMap());
    const got = summarize(await clickHouseMap(b.store, { fromMs, toMs }));
    expect(expected.edges.length).toBeGreaterThanOrEqual(8);
    expect(got).toEqual(expected);
    // A day's window reads the hour rollups (sharded, merged across nodes) for its whole hours.
    const dayQ = { fromMs: toMs - 86_400_000, toMs };
    expect(summarize(await clickHouseMap(a.store, dayQ))).toEqual(
      summarize(await sqlite.get<AnyMap>(`/api/v1/service-map?from=${dayQ.fromMs}&to=${dayQ.toMs}`)),
    );
  });

  it("a repeated pass (a new leader after a crash, or two leaders) changes nothing", async () => {
    const before = summarize(await clickHouseMap(a.store, { fromMs, toMs }));
    // Another instance runs the passes again from the start, as a leader without the watermark would.
    const again = await runDuePairingPasses(
      {
        ...b.store,
        readPairingWatermark: async () => null,
        listTraceIdsInWindow: b.store.listTraceIdsInWindow,
        readTracesSpans: b.store.readTracesSpans,
        writeGraphPass: b.store.writeGraphPass,
      },
      { stepMs: 10_000, settleMs: 10_000, nowMs: Date.now(), startMs: fromMs },
    );
    expect(again).toBeGreaterThan(20);
    expect(summarize(await clickHouseMap(a.store, { fromMs, toMs }))).toEqual(before);
  });
});
