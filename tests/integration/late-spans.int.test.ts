import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../helpers/otel-sender";

/**
 * Spans that arrive long after they ended (an exporter's retry queue, a collector catching up)
 * show on the map at once, even when a user's earlier visit cached the minutes they fall in:
 * the query threads keep complete 10-minute and hour blocks for minutes, and a late write must
 * drop the blocks it changed. Real OTLP/protobuf exporter, real server.
 */
let server: RunningServer;
const lateS = Math.floor(Date.now() / 1000) - 40 * 60;
const win = `from=${Date.now() - 3 * 3_600_000}&to=${Date.now() + 60_000}`;

interface MapBody {
  nodes: Array<{ id: string; name: string; stats: { requests: number; errors: number } }>;
  edges: Array<{ id: string; source: string; target: string; stats: { requests: number; errors: number } }>;
}

/** web → api → postgres, `calls` times, 40 minutes ago; `failing` of the api's answers fail. */
async function sendLateCalls(calls: number, failing: number): Promise<void> {
  const web = createServiceTracer("web", createExporter("http/protobuf", server));
  const api = createServiceTracer("api", createExporter("http/protobuf", server));
  for (let i = 0; i < calls; i++) {
    const call = web.span("GET", {
      kind: SpanKind.CLIENT,
      start: [lateS, i * 1_000_000],
      attributes: { "http.request.method": "GET", "server.address": "api" },
    });
    const srv = api.span("GET /items", {
      kind: SpanKind.SERVER,
      parent: call,
      start: [lateS, i * 1_000_000 + 100_000],
      attributes: { "http.request.method": "GET" },
    });
    if (i < failing) srv.setStatus({ code: SpanStatusCode.ERROR });
    const q = api.span("SELECT items", {
      kind: SpanKind.CLIENT,
      parent: srv,
      start: [lateS, i * 1_000_000 + 200_000],
      attributes: { "db.system": "postgresql", "db.name": "items", "server.address": "db-main" },
    });
    q.end([lateS, i * 1_000_000 + 300_000]);
    srv.end([lateS, i * 1_000_000 + 400_000]);
    call.end([lateS, i * 1_000_000 + 500_000]);
  }
  await Promise.all([web.flush(), api.flush()]);
  await Promise.all([web.shutdown(), api.shutdown()]);
}

beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_PAIRING_WAIT_MS: "1000", CARTOGRAPH_ROLLUP_FLUSH_MS: "300" } });
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe("spans 40 minutes late", () => {
  it("reach a map whose minutes an earlier visit cached, with exact counts", async () => {
    // A visit before the spans arrive: every query thread caches the window's complete blocks empty.
    for (let i = 0; i < 4; i++) {
      const before = await server.get<MapBody>(`/api/v1/service-map?${win}`);
      expect(before.edges).toEqual([]);
    }
    await sendLateCalls(12, 3);
    const map = await eventually(
      async () => {
        const m = await server.get<MapBody>(`/api/v1/service-map?${win}`);
        return m.edges.length >= 2 && m.nodes.find((n) => n.name === "api")?.stats.requests === 12 ? m : null;
      },
      30_000,
      "the late calls on the map",
    );
    const edge = (s: string, t: string) => map.edges.find((e) => e.source === s && e.target === t);
    const web = map.nodes.find((n) => n.name === "web")!;
    const api = map.nodes.find((n) => n.name === "api")!;
    const db = map.nodes.find((n) => n.id.startsWith("database:"))!;
    expect(edge(web.id, api.id)?.stats).toMatchObject({ requests: 12, errors: 3 });
    expect(edge(api.id, db.id)?.stats).toMatchObject({ requests: 12, errors: 0 });
    expect(api.stats).toMatchObject({ requests: 12, errors: 3 });
  });
});
