import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Registry } from "prom-client";
import type { TelemetryStore } from "../../store";
import { createSqliteStore, openWriterDb, type Db } from "../../store/sqlite";
import { createServiceGraphAggregator } from "./aggregator";
import { EdgeSeriesBook, registerServiceGraphMetrics, type ServiceGraphSnapshot } from "./metrics";
import { createSpanFactory } from "../../../tests/fixtures/servicegraph/span-factory";
import type { Span } from "../../normalize";

let dir: string;
let db: Db;
let store: TelemetryStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sg-agg-"));
  db = openWriterDb(dir);
  store = createSqliteStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores spans the way the writer does, then lets the aggregator observe the new ones. */
async function ingest(
  agg: ReturnType<typeof createServiceGraphAggregator>,
  spans: Span[],
  nowMs: number,
): Promise<void> {
  const { inserted } = await store.ingest.append([{ spans, points: [], logs: [] }], nowMs);
  agg.observe(inserted, nowMs);
}

async function flush(agg: ReturnType<typeof createServiceGraphAggregator>, nowMs: number): Promise<void> {
  await agg.flush(store, nowMs);
}

const edgeRows = () =>
  db
    .prepare(
      "SELECT source, target, protocol, SUM(calls) AS calls, SUM(errors) AS errors FROM edge_minute GROUP BY source, target, protocol ORDER BY source, target",
    )
    .all();

describe("createServiceGraphAggregator", () => {
  it("pairs halves that arrive in different batches, server first", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems: 1000 });
    const root = f.server("web");
    const [c, s] = f.httpCall(root, "api", { error: true });
    await ingest(agg, [s!], 0);
    await flush(agg, 1_000);
    await ingest(agg, [root, c!], 2_000);
    await flush(agg, 3_000);
    expect(edgeRows()).toEqual([
      { source: "client:user", target: "service:web", protocol: "other", calls: 1, errors: 0 },
      { source: "service:web", target: "service:api", protocol: "http", calls: 1, errors: 1 },
    ]);
    expect(agg.snapshot().pairing).toMatchObject({ paired: 1, pending: 0, expired: 0 });
  });

  it("repairs a late client whose server span was stored and expired long before", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems: 1000 });
    const root = f.server("web");
    const [c, s] = f.httpCall(root, "api", { host: "api.internal" });
    await ingest(agg, [s!], 0);
    await flush(agg, 30_000); // server half expires unpaired
    await ingest(agg, [root, c!], 60_000);
    await flush(agg, 90_000); // client expires; the stored server pairs it
    const rows = edgeRows() as Array<{ target: string }>;
    expect(rows.map((r) => r.target)).toEqual(["service:web", "service:api"]);
    expect(rows.some((r) => r.target.startsWith("external:"))).toBe(false);
    expect(agg.snapshot().pairing).toMatchObject({ paired: 1, unpairedServer: 1 });
  });

  it("pairs a server that arrives after its peerless client expired, without double counting", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems: 1000 });
    const root = f.server("web");
    const c = f.client("web", { parent: root, name: "call" });
    const s = f.server("api", { parent: c });
    await ingest(agg, [root, c], 0);
    await flush(agg, 20_000); // client expires: no peer attribute, so only counted
    expect(agg.snapshot().pairing.unpairedClient).toBe(1);
    await ingest(agg, [s], 30_000);
    await flush(agg, 50_000); // server expires; its stored parent client pairs it
    await flush(agg, 90_000);
    expect(edgeRows()).toEqual([
      { source: "client:user", target: "service:web", protocol: "other", calls: 1, errors: 0 },
      { source: "service:web", target: "service:api", protocol: "other", calls: 1, errors: 0 },
    ]);
  });

  it("turns a sampled-away server into a virtual node after the wait, not before", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems: 1000 });
    const root = f.server("web");
    const [c] = f.httpCall(root, "payments", { host: "payments.example.com", instrumented: false });
    await ingest(agg, [root, c!], 0);
    await flush(agg, 5_000);
    expect((edgeRows() as Array<{ target: string }>).map((r) => r.target)).toEqual(["service:web"]);
    await flush(agg, 10_000);
    expect((edgeRows() as Array<{ target: string }>).map((r) => r.target)).toEqual([
      "service:web",
      "external:payments.example.com",
    ]);
    const node = db.prepare("SELECT kind, name FROM graph_nodes WHERE id = ?").get("external:payments.example.com");
    expect(node).toEqual({ kind: "external", name: "payments.example.com" });
  });

  it("draws a database edge as soon as its client span is stored; a later server half merges into it", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems: 1000 });
    const root = f.server("web");
    const q = f.client("web", {
      parent: root,
      attrs: { "db.system": "postgresql", "db.name": "orders", "server.address": "db-main" },
      durationMs: 8,
    });
    await ingest(agg, [root, q], 0);
    await flush(agg, 1); // long before the 10 s wait
    const db1 = "database:postgresql://db-main:5432/orders";
    expect(edgeRows()).toEqual([
      { source: "client:user", target: "service:web", protocol: "other", calls: 1, errors: 0 },
      { source: "service:web", target: db1, protocol: "db", calls: 1, errors: 0 },
    ]);
    // An instrumented database proxy answers later: same edge, still one call, server latency added.
    await ingest(agg, [f.server("pg-proxy", { parent: q, durationMs: 5 })], 2_000);
    await flush(agg, 3_000);
    await flush(agg, 20_000);
    expect(edgeRows().filter((r) => (r as { target: string }).target === db1)).toEqual([
      { source: "service:web", target: db1, protocol: "db", calls: 1, errors: 0 },
    ]);
    const sketch = db.prepare("SELECT server_sketch FROM edge_minute WHERE target = ?").pluck().all(db1) as Buffer[];
    expect(sketch.some((b) => b.length > 8)).toBe(true);
    expect(agg.snapshot().pairing).toMatchObject({ pending: 0, expired: 0, virtual: 1 });
  });

  it("merges a second flush of the same minute (e.g. after a restart) into one row", async () => {
    const f = createSpanFactory();
    for (let run = 0; run < 2; run++) {
      const agg = createServiceGraphAggregator({ waitMs: 0, maxItems: 1000 });
      f.newTrace();
      const root = f.server("web", { durationMs: 5 + run });
      await ingest(agg, [root, ...f.httpCall(root, "api")], 0);
      await flush(agg, 1);
    }
    const rows = db
      .prepare("SELECT COUNT(*) AS n, SUM(calls) AS calls FROM edge_minute WHERE target = 'service:api'")
      .get();
    expect(rows).toEqual({ n: 1, calls: 2 });
    const stats = db.prepare("SELECT SUM(paired) AS paired FROM graph_stats_minute").get();
    expect(stats).toEqual({ paired: 2 });
  });

  it("exposes the ecosystem metric names through a prom-client registry", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 0, maxItems: 1000 });
    const root = f.server("web");
    await ingest(agg, [root, ...f.httpCall(root, "api", { error: true, durationMs: 30 })], 0);
    await flush(agg, 1);
    const snap = structuredClone(agg.snapshot()) as ServiceGraphSnapshot;
    const registry = new Registry();
    registerServiceGraphMetrics(registry, () => snap);
    const text = await registry.metrics();
    expect(text).toContain('traces_service_graph_request_total{client="web",server="api",connection_type=""} 1');
    expect(text).toContain('traces_service_graph_request_failed_total{client="web",server="api",connection_type=""} 1');
    expect(text).toMatch(
      /traces_service_graph_request_server_seconds_bucket\{client="web",server="api",connection_type="",le="0.05"\} 1/,
    );
    expect(text).toMatch(
      /traces_service_graph_request_client_seconds_count\{client="web",server="api",connection_type=""\} 1/,
    );
    expect(text).toContain("traces_service_graph_pending_items 0");
    const empty = new Registry();
    registerServiceGraphMetrics(empty, () => null);
    await expect(empty.metrics()).resolves.toContain("# TYPE traces_service_graph_request_total counter");
  });

  it("posts only the edge series that changed, and the main thread's book keeps them all", async () => {
    const f = createSpanFactory();
    const agg = createServiceGraphAggregator({ waitMs: 0, maxItems: 1000 });
    const book = new EdgeSeriesBook();
    const call = async (callee: string) => {
      f.newTrace();
      const root = f.server("web");
      await ingest(agg, [root, ...f.httpCall(root, callee)], 0);
      await flush(agg, 1);
      const snap = structuredClone(agg.snapshot()) as ServiceGraphSnapshot;
      book.apply(snap);
      return snap;
    };
    const first = await call("api");
    expect(first.seriesReset).toBe(true);
    const fromWeb = (snap: ServiceGraphSnapshot) => snap.series.filter((s) => s.client === "web").map((s) => s.server);
    expect(fromWeb(first)).toEqual(["api"]);
    const second = await call("db-api");
    expect(second.seriesReset).toBe(false);
    // The unchanged web → api series is not copied again...
    expect(fromWeb(second)).toEqual(["db-api"]);
    const idle = structuredClone(agg.snapshot()) as ServiceGraphSnapshot;
    expect(idle.series).toEqual([]);
    book.apply(idle);
    // ...but /metrics still shows both, with their cumulative counts.
    const registry = new Registry();
    registerServiceGraphMetrics(registry, () => book.snapshot());
    const text = await registry.metrics();
    expect(text).toContain('traces_service_graph_request_total{client="web",server="api",connection_type=""} 1');
    expect(text).toContain('traces_service_graph_request_total{client="web",server="db-api",connection_type=""} 1');
    await call("api");
    expect(await registry.metrics()).toContain(
      'traces_service_graph_request_total{client="web",server="api",connection_type=""} 2',
    );
    // A new writer thread starts its series from zero: the book forgets the old ones.
    book.apply({ ...idle, series: [], seriesReset: true });
    expect(await registry.metrics()).not.toContain('server="db-api"');
  });
});
