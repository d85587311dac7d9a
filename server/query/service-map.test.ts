import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TelemetryReader, TelemetryStore } from "../store";
import { createSqliteStore, openTelemetryReader, openWriterDb, type Db } from "../store/sqlite";
import { createRedAggregator } from "../aggregate/red";
import { createServiceGraphAggregator } from "../aggregate/servicegraph";
import { getServiceMap } from "./service-map";
import { getServiceMapDiff } from "./service-map-diff";
import { getTraceServiceMap, rebuildServiceMap } from "./service-map-rebuild";
import { allRoutes, ApiError, type ApiContext } from "../api";
import { createSpanFactory, edgeIds, nodeIds } from "../../tests/fixtures/servicegraph/span-factory";
import type { Span } from "../normalize";

let dir: string;
let db: Db;
let store: TelemetryStore;
let reader: TelemetryReader;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sg-query-"));
  db = openWriterDb(dir);
  store = createSqliteStore(db);
  reader = openTelemetryReader(dir);
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores spans and runs both aggregators like the writer thread, then flushes everything. */
async function ingest(spans: Span[]): Promise<void> {
  const aggs = [createRedAggregator(), createServiceGraphAggregator({ waitMs: 0, maxItems: 10_000 })];
  const { inserted } = await store.ingest.append([{ spans, points: [], logs: [] }], 0);
  for (const a of aggs) a.observe(inserted, 0);
  for (const a of aggs) await a.flush(store, 1);
}

/** frontend → checkout (10 % errors in the first window) → postgres; checkout → stripe (uninstrumented). */
function shopTraffic(f: ReturnType<typeof createSpanFactory>, startMs: number, n: number, failEvery: number): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < n; i++) {
    f.newTrace();
    const root = f.server("frontend", {
      startMs: startMs + i * 100,
      attrs: { "user_agent.original": "Mozilla/5.0 Chrome/120.0" },
    });
    const [c, s] = f.httpCall(root, "checkout", { error: failEvery > 0 && i % failEvery === 0, durationMs: 40 });
    spans.push(root, c!, s!);
    spans.push(
      f.client("checkout", {
        parent: s!,
        attrs: { "db.system": "postgresql", "db.name": "orders", "server.address": "db-main" },
        durationMs: 3,
      }),
    );
    spans.push(...f.httpCall(s!, "stripe", { host: "api.stripe.com", instrumented: false }));
  }
  spans.push(f.internal("batch-job", { trace: f.newTrace(), startMs }));
  return spans;
}

describe("getServiceMap", () => {
  it("returns the API shape with typed nodes, health, edge stats and completeness", async () => {
    const f = createSpanFactory();
    const t0 = f.baseMs;
    await ingest(shopTraffic(f, t0, 50, 10));
    const map = await getServiceMap(reader, { fromMs: t0, toMs: t0 + 60_000 });
    expect(nodeIds(map)).toEqual([
      "client:chrome",
      "database:postgresql://db-main:5432/orders",
      "external:api.stripe.com",
      "service:batch-job",
      "service:checkout",
      "service:frontend",
    ]);
    expect(edgeIds(map)).toEqual([
      "client:chrome->service:frontend",
      "service:checkout->database:postgresql://db-main:5432/orders",
      "service:checkout->external:api.stripe.com",
      "service:frontend->service:checkout",
    ]);
    const checkout = map.nodes.find((n) => n.id === "service:checkout")!;
    expect(checkout).toMatchObject({
      kind: "service",
      name: "checkout",
      health: "critical",
      stats: { requests: 50, errors: 5, errorRate: 0.1 },
    });
    expect(checkout.stats.rps).toBeCloseTo(50 / 60, 3);
    expect(checkout.stats.p95Ms).toBeGreaterThan(30);
    const db = map.nodes.find((n) => n.kind === "database")!;
    expect(db).toMatchObject({
      system: "postgresql",
      host: "db-main",
      port: 5432,
      database: "orders",
      name: "orders",
      stats: { requests: 50 },
    });
    const edge = map.edges.find((e) => e.id === "service:frontend->service:checkout")!;
    expect(edge).toMatchObject({ protocol: "http", statsSide: "server", stats: { requests: 50, errors: 5 } });
    expect(edge.clientStats!.p50Ms!).toBeGreaterThan(edge.serverStats!.p50Ms!);
    expect(map.nodes.find((n) => n.id === "service:batch-job")).toMatchObject({
      health: "ok",
      stats: { requests: 0, errorRate: 0, p95Ms: null },
    });
    // Database clients are drawn when stored, so they never wait to expire.
    expect(map.completeness).toMatchObject({ pairedCalls: 50, unpairedClientSpans: 0, expired: 50, dropped: 0 });
    // A window before the traffic is empty.
    expect((await getServiceMap(reader, { fromMs: t0 - 600_000, toMs: t0 - 300_000 })).edges).toEqual([]);
  });

  it("focuses on an N-hop neighbourhood and diffs two windows", async () => {
    const f = createSpanFactory();
    const t0 = f.baseMs;
    await ingest(shopTraffic(f, t0, 20, 0));
    const later = shopTraffic(f, t0 + 120_000, 60, 2);
    const root = f.server("frontend", { trace: f.newTrace(), startMs: t0 + 130_000 });
    later.push(root, ...f.httpCall(root, "recommendations"));
    await ingest(later);
    const focused = await getServiceMap(reader, { fromMs: t0, toMs: t0 + 60_000, focus: "service:checkout", depth: 1 });
    expect(nodeIds(focused)).toEqual([
      "database:postgresql://db-main:5432/orders",
      "external:api.stripe.com",
      "service:checkout",
      "service:frontend",
    ]);
    const diff = await getServiceMapDiff(
      reader,
      { fromMs: t0 + 120_000, toMs: t0 + 180_000 },
      { fromMs: t0, toMs: t0 + 60_000 },
    );
    expect(diff.added.nodes.map((n) => n.id)).toEqual(["client:user", "service:recommendations"]);
    expect(diff.added.edges.map((e) => e.id)).toEqual([
      "client:user->service:frontend",
      "service:frontend->service:recommendations",
    ]);
    expect(diff.removed).toEqual({ nodes: [], edges: [] });
    const checkout = diff.changed.find((c) => c.id === "service:checkout")!;
    expect(checkout.kind).toBe("node");
    expect(checkout.reasons).toEqual(expect.arrayContaining(["traffic-up", "errors-up", "health"]));
  });
});

describe("tier-2 rebuild from stored spans", () => {
  it("agrees with the streaming rollups on nodes, edges and counts", async () => {
    const f = createSpanFactory();
    const t0 = f.baseMs;
    await ingest(shopTraffic(f, t0, 30, 3));
    const w = { fromMs: t0, toMs: t0 + 60_000 };
    const live = await getServiceMap(reader, w);
    const rebuilt = await rebuildServiceMap(reader, w);
    expect(rebuilt).toMatchObject({ source: "rebuild", truncated: false });
    expect(nodeIds(rebuilt)).toEqual(nodeIds(live));
    expect(edgeIds(rebuilt)).toEqual(edgeIds(live));
    const counts = (m: typeof live) => m.edges.map((e) => [e.id, e.stats.requests, e.stats.errors, e.statsSide]);
    expect(counts(rebuilt)).toEqual(counts(live));
    expect(rebuilt.nodes.find((n) => n.id === "service:checkout")!.stats).toMatchObject({ requests: 30, errors: 10 });
    expect((await rebuildServiceMap(reader, w, 10)).truncated).toBe(true);
  });

  it("maps one trace", async () => {
    const f = createSpanFactory();
    const spans = shopTraffic(f, f.baseMs, 2, 0);
    await ingest(spans);
    const map = (await getTraceServiceMap(reader, spans[0]!.traceId))!;
    expect(edgeIds(map)).toEqual([
      "client:chrome->service:frontend",
      "service:checkout->database:postgresql://db-main:5432/orders",
      "service:checkout->external:api.stripe.com",
      "service:frontend->service:checkout",
    ]);
    expect(map.edges.every((e) => e.stats.requests === 1)).toBe(true);
    expect(await getTraceServiceMap(reader, "f".repeat(32))).toBeNull();
  });
});

describe("service-map routes", () => {
  const ctx = () =>
    ({
      now: () => Date.UTC(2026, 10, 25, 10, 5),
      telemetry: reader,
      config: { CARTOGRAPH_RETENTION_RAW_HOURS: 168, CARTOGRAPH_RETENTION_ROLLUP_HOURS: 720 },
    }) as unknown as ApiContext;
  const call = (routePath: string, qs: string) =>
    allRoutes
      .find((r) => r.path === routePath)!
      .handler({ params: {}, query: new URLSearchParams(qs), body: undefined }, ctx());

  it("answers with the map for a valid window", async () => {
    const f = createSpanFactory();
    await ingest(shopTraffic(f, f.baseMs, 5, 0));
    const map = (await call(
      "/api/v1/service-map",
      "from=2026-11-25T10:00:00Z&to=now&focus=service:frontend&depth=2",
    )) as {
      nodes: unknown[];
    };
    expect(map.nodes.length).toBeGreaterThan(3);
  });

  it.each([
    ["depth=0&focus=service:a", /depth must be at least 1/],
    ["depth=11&focus=service:a", /depth must be at most 10/],
    ["depth=two&focus=service:a", /whole number/],
    ["depth=2", /depth needs focus/],
    ["from=now&to=2020-01-01T00:00:00Z", /must be before/],
  ])("rejects %s with a 400 that says why", async (qs, message) => {
    let err: unknown;
    try {
      call("/api/v1/service-map", qs);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toMatch(message);
  });

  it("requires both baseline bounds on the diff", async () => {
    expect(() => call("/api/v1/service-map/diff", "baselineFrom=0")).toThrow(/baselineFrom and baselineTo/);
    const diff = (await call("/api/v1/service-map/diff", "from=2026-11-25T10:00:00Z&to=2026-11-25T10:05:00Z")) as {
      baseline: { fromMs: number };
    };
    expect(diff.baseline.fromMs).toBe(Date.UTC(2026, 10, 25, 9, 55));
  });
});
