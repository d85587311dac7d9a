import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { startClickHouse, type LoopbackClickHouse } from "../helpers/clickhouse";
import { startPostgres, type TestPostgres } from "../helpers/postgres";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createServiceTracer, SpanKind } from "../helpers/otel-sender";

/**
 * Two real servers on one ClickHouse with a PostgreSQL control plane: `a` leads (its passes
 * write the graph), `b` only answers. `b` reads a map of a complete, settled 10-minute block and
 * caches it; then the callee's half of the block's one call reaches `a` minutes late, and a's
 * leader pairs the window again. `b` heard nothing of it in-process: the store's change marks
 * (rollup-changes.ts) make its next map reads drop the cached block, well within the block's
 * 5-minute time to live (without the marks `b` answers the cached, stale map until it expires).
 */
let ch: LoopbackClickHouse;
let pg: TestPostgres;
let a: RunningServer;
let b: RunningServer;
const MIN = 60_000;
// A 10-minute block that ended at least four minutes ago: complete and settled, so cached.
const blockMs = Math.floor((Date.now() - 14 * MIN) / (10 * MIN)) * 10 * MIN;
const window = `from=${blockMs}&to=${blockMs + 10 * MIN}`;
const callMs = blockMs + 5 * MIN + 7_000;

type MapAnswer = { edges: { source: string; target: string; stats?: { requests: number } | null }[] };

beforeAll(async () => {
  [ch, pg] = await Promise.all([startClickHouse(), startPostgres()]);
  const control = await pg.createDatabase("cg_fresh");
  const env = {
    CARTOGRAPH_STORE: "clickhouse",
    CARTOGRAPH_CLICKHOUSE_URL: ch.nodes[0]!.url,
    CARTOGRAPH_CLICKHOUSE_DATABASE: "cg_fresh",
    CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS: "5000",
    CARTOGRAPH_PAIRING_WAIT_MS: "1000",
    CARTOGRAPH_ROLLUP_FLUSH_MS: "200",
    CARTOGRAPH_CONTROL_DATABASE_URL: control,
    // One query thread: the block b caches is the one its next reads would find.
    CARTOGRAPH_QUERY_THREADS: "1",
    CARTOGRAPH_MAP_WARM_MS: "0",
  };
  a = await startServer({ readyTimeoutMs: 240_000, env });
  await eventually(
    async () => (await a.get<{ leader?: { leader: boolean } }>("/readyz")).leader?.leader,
    60_000,
    "instance a leading",
  );
  b = await startServer({ readyTimeoutMs: 240_000, env });
}, 420_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([ch?.stop(), pg?.stop()]);
});

/** Requests per target of frontend's edges in the block, as `s` answers. */
async function frontendCalls(s: RunningServer): Promise<Record<string, number>> {
  const m = await s.get<MapAnswer>(`/api/v1/service-map?${window}`);
  const out: Record<string, number> = {};
  for (const e of m.edges)
    if (e.source === "service:frontend") out[e.target] = (out[e.target] ?? 0) + (e.stats?.requests ?? 0);
  return out;
}

describe("a late re-pass on the leading instance shows on the other's next map read", () => {
  it("the follower drops the cached block the leader's late pass changed", async () => {
    expect((await b.get<{ leader?: { leader: boolean } }>("/readyz")).leader?.leader).toBe(false);
    const exporter = () => new OTLPTraceExporter({ url: `${a.otlpHttpUrl}/v1/traces` });
    const frontend = createServiceTracer("frontend", exporter());
    const root = frontend.span("GET /cart", { kind: SpanKind.SERVER, start: callMs });
    const call = frontend.span("POST", {
      kind: SpanKind.CLIENT,
      parent: root,
      start: callMs + 1,
      attributes: { "http.request.method": "POST", "server.address": "checkout", "server.port": 8080 },
    });
    call.end(callMs + 20);
    root.end(callMs + 25);
    await frontend.flush();

    // The unanswered call, drawn to the address, once the leader's passes covered the block; b caches it.
    await eventually(async () => Object.values(await frontendCalls(a)).length === 1, 180_000, "a's map with the call");
    const before = await eventually(
      async () => {
        const calls = await frontendCalls(b);
        return Object.values(calls).length === 1 && !calls["service:checkout"] ? calls : null;
      },
      60_000,
      "b's map with the unanswered call",
    );
    expect(Object.values(before)).toEqual([1]);
    expect(await frontendCalls(b)).toEqual(before);

    // The callee's half, minutes late: a's leader pairs the block's window again.
    const checkout = createServiceTracer("checkout", exporter());
    checkout.span("POST /checkout", { kind: SpanKind.SERVER, parent: call, start: callMs + 3 }).end(callMs + 18);
    await checkout.flush();
    await eventually(
      async () => (await frontendCalls(a))["service:checkout"] === 1,
      120_000,
      "a's map with the call to checkout",
    );
    const seenOnA = Date.now();
    // b was told nothing in-process; its next reads find the store's change marks.
    const after = await eventually(
      async () => {
        const calls = await frontendCalls(b);
        return calls["service:checkout"] === 1 ? calls : null;
      },
      60_000,
      "b's map with the call to checkout",
    );
    expect(after).toEqual({ "service:checkout": 1 });
    // Well inside the cached block's 5-minute time to live.
    expect(Date.now() - seenOnA).toBeLessThan(60_000);
    await Promise.all([frontend.shutdown(), checkout.shutdown()]);
  }, 480_000);
});
