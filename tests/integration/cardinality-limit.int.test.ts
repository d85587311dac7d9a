import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind } from "../helpers/otel-sender";

/**
 * A sender that invents service and operation names cannot grow the catalog, the RED rollups
 * or the map without bound: past the limits, new names aggregate as "(overflow)", counted on
 * /metrics, while the spans keep their names for trace search. A restart keeps the admitted
 * set (seeded from the store), so it does not admit a second batch of new names.
 */
const OVERFLOW = "(overflow)";
const env = {
  CARTOGRAPH_MAX_SERVICES: "4",
  CARTOGRAPH_MAX_OPERATIONS_PER_SERVICE: "3",
  CARTOGRAPH_ROLLUP_FLUSH_MS: "200",
};
let server: RunningServer;
// Set once the server is up: on ClickHouse the graph comes from pairing passes that run once the
// pairing wait has passed after the spans' start, and spans arriving later miss the graph.
let nowS = Math.floor(Date.now() / 1000) - 2;
const win = () => `from=${(nowS - 120) * 1000}&to=${Date.now() + 60_000}`;

interface ServicesBody {
  services: Array<{ name: string; requests: number }>;
}

/** One SERVER span per operation name, sent and flushed before returning (arrival order is send order). */
async function send(service: string, operations: string[]): Promise<void> {
  const t = createServiceTracer(service, createExporter("http/protobuf", server));
  for (const op of operations) t.span(op, { kind: SpanKind.SERVER, start: [nowS, 0] }).end([nowS, 5_000_000]);
  await t.flush();
  await t.shutdown();
}

/** One SERVER span of `service` calling each host once (CLIENT spans with server.address). */
async function sendCalls(service: string, hosts: string[]): Promise<void> {
  const t = createServiceTracer(service, createExporter("http/protobuf", server));
  const root = t.span("GET /fan-out", { kind: SpanKind.SERVER, start: [nowS, 0] });
  for (const host of hosts)
    t.span("GET", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: [nowS, 1_000_000],
      attributes: { "http.request.method": "GET", "server.address": host },
    }).end([nowS, 2_000_000]);
  root.end([nowS, 3_000_000]);
  await t.flush();
  await t.shutdown();
}

async function folded(): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cartograph_cardinality_folded_spans_total\{dimension="(\w+)"\} (\d+)/gm))
    out[m[1]] = Number(m[2]);
  return out;
}

beforeAll(async () => {
  server = await startServer({ env, keepDataDir: true });
  nowS = Math.floor(Date.now() / 1000) - 2;
  for (let i = 0; i < 8; i++) await send(`svc-${i}`, ["GET /a"]);
  await send("svc-0", ["op-0", "op-1", "op-2", "op-3", "op-4"]);
  await sendCalls("svc-2", ["h0.example", "h1.example", "h2.example", "h3.example", "h4.example", "h5.example"]);
}, 240_000);
afterAll(async () => {
  await server?.stop();
});

describe("cardinality limits", () => {
  it("keeps the first services and folds the rest into one overflow service", async () => {
    const body = await eventually(async () => {
      const b = await server.get<ServicesBody>(`/api/v1/services?${win()}`);
      const total = b.services.reduce((n, s) => n + s.requests, 0);
      if (total < 14) throw new Error(`only ${total} requests aggregated`);
      return b;
    });
    const names = body.services.map((s) => s.name).sort();
    expect(names).toEqual([OVERFLOW, "svc-0", "svc-1", "svc-2", "svc-3"]);
    expect(body.services.find((s) => s.name === OVERFLOW)!.requests).toBe(4);
    expect(body.services.find((s) => s.name === "svc-0")!.requests).toBe(6);
  });

  it("folds operations past the per-service limit and counts every fold on /metrics", async () => {
    const ops = await server.get<{ operations: Array<{ name: string; requests: number }> }>(
      `/api/v1/services/svc-0/operations?${win()}`,
    );
    const byName = Object.fromEntries(ops.operations.map((o) => [o.name, o.requests]));
    expect(byName).toEqual({ "GET /a": 1, "op-0": 1, "op-1": 1, [OVERFLOW]: 3 });
    expect(await folded()).toMatchObject({ service: 4, operation: 3 });
  });

  it("folds peers past the limit into one overflow node of their kind, keeping every call", async () => {
    interface MapBody {
      nodes: Array<{ id: string; name: string }>;
      edges: Array<{ source: string; target: string; stats: { requests: number } }>;
    }
    const map = await eventually(async () => {
      const m = await server.get<MapBody>(`/api/v1/service-map?${win()}`);
      const calls = m.edges.filter((e) => e.source === "service:svc-2").reduce((n, e) => n + e.stats.requests, 0);
      if (calls < 6) throw new Error(`${calls} calls of svc-2 on the map`);
      return m;
    });
    // The limit (4) counts every peer node, the root spans' caller node ("client:user") too.
    const peers = map.nodes.filter((n) => !n.id.startsWith("service:") && n.name !== OVERFLOW);
    expect(peers.length).toBe(4);
    const targets = map.edges.filter((e) => e.source === "service:svc-2");
    const byTarget = Object.fromEntries(targets.map((e) => [e.target, e.stats.requests]));
    const overflowCalls = byTarget["external:(overflow)"];
    expect(overflowCalls).toBeGreaterThanOrEqual(2);
    expect(Object.values(byTarget).reduce((a, b) => a + b, 0)).toBe(6);
    expect(map.nodes.find((n) => n.id === "external:(overflow)")?.name).toBe(OVERFLOW);
    expect((await folded()).peer).toBe(overflowCalls);
  });

  it("still finds a folded service's traces by its real name", async () => {
    const body = await server.get<{ traces: Array<{ rootService: string; rootOperation: string }> }>(
      `/api/v1/traces?service=svc-6&${win()}`,
    );
    expect(body.traces).toHaveLength(1);
    expect(body.traces[0]).toMatchObject({ rootService: "svc-6", rootOperation: "GET /a" });
  });

  it("after a restart, admits no new service beyond the stored ones", async () => {
    const dataDir = server.dataDir;
    await server.stop();
    server = await startServer({ env, dataDir, keepDataDir: false });
    await send("svc-9", ["GET /a"]);
    await send("svc-1", ["GET /b"]);
    const body = await eventually(async () => {
      const b = await server.get<ServicesBody>(`/api/v1/services?${win()}`);
      if (b.services.find((s) => s.name === OVERFLOW)!.requests < 5) throw new Error("svc-9 not aggregated yet");
      // Sent after svc-9: its rollup may come one flush later.
      if (b.services.find((s) => s.name === "svc-1")!.requests < 2) throw new Error("svc-1 not aggregated yet");
      return b;
    });
    expect(body.services.map((s) => s.name).sort()).toEqual([OVERFLOW, "svc-0", "svc-1", "svc-2", "svc-3"]);
    expect(body.services.find((s) => s.name === "svc-1")!.requests).toBe(2);
    // The writer's counters reach /metrics after its flush has measured the store (on ClickHouse a
    // query), so a moment after the rollups it counted.
    await eventually(
      async () => ((await folded()).service === 1 ? true : null),
      15_000,
      "one service fold on /metrics",
    );
  }, 240_000);
});
