import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { startClickHouse, type LoopbackClickHouse } from "../helpers/clickhouse";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { startServer, type RunningServer } from "../helpers/start-server";
import { sendFleetTraffic, SplitExporter } from "../helpers/fleet-traffic";

/**
 * Two real Cartograph server processes on one two-shard ClickHouse cluster and one PostgreSQL
 * control plane, beside one single-instance SQLite server. The same real OTel SDK traffic goes
 * whole to SQLite and, span by span at random, to the two instances. With nothing but the
 * servers running (the elected leader's pairing passes build the graph), both instances answer
 * the map (nodes, per-edge counts, percentiles, completeness), the traces and the coupling
 * findings exactly as the SQLite server does.
 */
let ch: LoopbackClickHouse;
let pg: TestPostgres;
let sqlite: RunningServer;
let a: RunningServer;
let b: RunningServer;
const baseMs = Math.floor((Date.now() - 8 * 60_000) / 60_000) * 60_000 + 7_000;
const fromMs = Math.floor(baseMs / 60_000) * 60_000;
const toMs = fromMs + 5 * 60_000;
let traceIds: string[] = [];

const exporter = (url: string) => new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 60_000 });
const PAIRING = { CARTOGRAPH_PAIRING_WAIT_MS: "1000", CARTOGRAPH_ROLLUP_FLUSH_MS: "200" };

beforeAll(async () => {
  [ch, pg, sqlite] = await Promise.all([
    startClickHouse({ shards: 2 }),
    startPostgres(),
    startServer({ env: PAIRING }),
  ]);
  const control = await pg.createDatabase("cg_servers");
  const instance = (urls: string[]) =>
    startServer({
      readyTimeoutMs: 240_000,
      env: {
        ...PAIRING,
        CARTOGRAPH_STORE: "clickhouse",
        CARTOGRAPH_CLICKHOUSE_URL: urls.join(","),
        CARTOGRAPH_CLICKHOUSE_CLUSTER: ch.cluster!,
        CARTOGRAPH_CLICKHOUSE_DATABASE: "cg_servers",
        CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS: "10000",
        CARTOGRAPH_CONTROL_DATABASE_URL: control,
      },
    });
  // Each instance talks to its own shard first; both apply the schemas at once.
  [a, b] = await Promise.all([
    instance([ch.nodes[0]!.url, ch.nodes[1]!.url]),
    instance([ch.nodes[1]!.url, ch.nodes[0]!.url]),
  ]);
  traceIds = await sendFleetTraffic(
    () => new SplitExporter(exporter(sqlite.otlpHttpUrl), [exporter(a.otlpHttpUrl), exporter(b.otlpHttpUrl)]),
    { baseMs, traces: 120, spacingMs: 1500 },
  );
}, 420_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), sqlite?.stop()]);
  await Promise.all([ch?.stop(), pg?.stop()]);
});

type AnyMap = { nodes: any[]; edges: any[]; completeness: any };

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

/** The server's answer once two reads in a row agree (rollups flushed, passes committed). */
async function settled<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 180_000,
): Promise<T> {
  let last = "";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    const text = JSON.stringify(v);
    if (text === last && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not settle: ${text.slice(0, 2000)}`);
    last = text;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

describe("two Cartograph servers on a ClickHouse cluster equal one SQLite server", () => {
  it("the map, per-edge counts, percentiles and completeness, from either instance", async () => {
    const mapOf = (s: RunningServer) => async () =>
      summarize(await s.get<AnyMap>(`/api/v1/service-map?from=${fromMs}&to=${toMs}`));
    const expected = await settled(mapOf(sqlite), (m) => m.edges.length >= 8, "SQLite map");
    // The passes run on the leader every 10 s once a window closed: wait for the whole traffic.
    const got = await settled(
      mapOf(b),
      (m) => JSON.stringify(m) === JSON.stringify(expected),
      "ClickHouse map (instance b)",
      240_000,
    ).catch(async (e) => {
      expect(await mapOf(b)()).toEqual(expected);
      throw e;
    });
    expect(got).toEqual(expected);
    expect(await mapOf(a)()).toEqual(expected);
  });

  it("every trace, whole, from either instance", async () => {
    for (const [i, id] of traceIds.entries()) {
      if (i % 10 !== 0) continue;
      const ids = async (s: RunningServer) =>
        (await s.get<{ spans: { spanId: string }[] }>(`/api/v1/traces/${id}`)).spans.map((x) => x.spanId).sort();
      const expected = await ids(sqlite);
      expect(await ids(a)).toEqual(expected);
      expect(await ids(b)).toEqual(expected);
    }
  });

  it("the coupling findings", async () => {
    const findings = async (s: RunningServer) => {
      const r = await s.get<{ violations: any[] }>(`/api/v1/violations?from=${fromMs}&to=${toMs}`);
      return r.violations
        .map((f) => ({
          id: f.id,
          rule: f.rule,
          severity: f.severity,
          services: f.services,
          resources: f.resources,
          calls: f.evidence?.calls,
        }))
        .sort((x, y) => x.id.localeCompare(y.id));
    };
    const expected = await findings(sqlite);
    // The fleet shares a database between services: there is something to find.
    expect(expected.map((f) => f.rule)).toContain("shared-database");
    expect(await findings(b)).toEqual(expected);
    expect(await findings(a)).toEqual(expected);
  });
});
