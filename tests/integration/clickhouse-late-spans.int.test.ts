import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClickHouse, storeSettingsFor, type LoopbackClickHouse } from "../helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore } from "../../server/store";
import { LatePassScanner, runDuePairingPasses } from "../../server/aggregate/servicegraph";
import type { Span } from "../../server/normalize";
import { getServiceMap } from "../../server/query";

/**
 * Spans stored after their window's pass still reach the graph on ClickHouse: the callee's half
 * of a call arrives an hour late, after the caller's window was paired (the call drawn to an
 * external node), its minute merged and its hour compacted. The leader's late scan pairs the
 * window again: the call moves to the callee, in a window read from minutes and in one read from
 * hour rollups, on a two-shard cluster (arrival rows go through the Distributed table).
 */
let ch: LoopbackClickHouse;
let store: ClickHouseStore;
const HOUR = 3_600_000;
const STEP = 60_000;
// Inside an hour that ended at least an hour ago: final passes, merged minutes and a compacted hour.
const base = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR + 5 * 60_000 + 7_000;
const trace = "c".repeat(32);

function span(spanId: string, service: string, kind: Span["kind"], startMs: number, over: Partial<Span> = {}): Span {
  return {
    traceId: trace,
    spanId,
    parentSpanId: null,
    name: "POST /checkout",
    kind,
    startNs: BigInt(startMs) * 1_000_000n,
    endNs: BigInt(startMs + 20) * 1_000_000n,
    statusCode: 0,
    statusMessage: "",
    attributes: {},
    events: [],
    links: [],
    scope: { name: "s", version: "1" },
    resource: { service, namespace: null, environment: null, attributes: { "service.name": service } },
    ...over,
  };
}

const root = span("1".repeat(16), "frontend", 2, base);
const call = span("2".repeat(16), "frontend", 3, base + 1, {
  parentSpanId: root.spanId,
  name: "POST",
  attributes: { "http.request.method": "POST", "server.address": "checkout", "server.port": 8080 },
});
const answer = span("3".repeat(16), "checkout", 2, base + 3, { parentSpanId: call.spanId });

/** Requests per target of frontend's edges in a window. */
async function frontendCalls(fromMs: number, toMs: number): Promise<Record<string, number>> {
  const m = await getServiceMap({ ...store }, { fromMs, toMs });
  const out: Record<string, number> = {};
  for (const e of m.edges)
    if (e.source === "service:frontend") out[e.target] = (out[e.target] ?? 0) + (e.stats?.requests ?? 0);
  return out;
}

const scanner = new LatePassScanner();
const leaderRun = async () => {
  const nowMs = Date.now();
  const again = (await scanner.run(store, { stepMs: STEP, nowMs })).passed;
  await runDuePairingPasses(store, { stepMs: STEP, settleMs: STEP, nowMs, startMs: base - STEP });
  await store.compactGraphHours(STEP, nowMs);
  await store.compactGraphMinutes(STEP, nowMs);
  return again;
};

beforeAll(async () => {
  ch = await startClickHouse({ shards: 2 });
  store = openClickHouseStore(storeSettingsFor(ch, "cg_late_test"));
  await store.migrate();
}, 60_000);

afterAll(async () => {
  await store?.close();
  await ch?.stop();
});

describe("late spans on ClickHouse", () => {
  it("a callee's half stored after its window was paired, merged and compacted moves the call to the callee", async () => {
    await store.appendSpans([root, call]);
    await leaderRun();
    expect(await store.compactGraphHours(STEP, Date.now())).toEqual([]); // the hour is compacted already
    const minutes = { from: base - 5 * 60_000, to: base + 5 * 60_000 };
    const day = { from: base + 2 * HOUR - 24 * HOUR, to: base + 2 * HOUR };
    const before = await frontendCalls(minutes.from, minutes.to);
    expect(before["service:checkout"]).toBeUndefined();
    expect(Object.values(before)).toEqual([1]); // drawn to the address, unanswered
    expect(await frontendCalls(day.from, day.to)).toEqual(before);

    await store.appendSpans([answer]);
    const again = await leaderRun();
    expect(again).toContain(Math.floor(base / STEP) * STEP); // the caller's window
    expect(await frontendCalls(minutes.from, minutes.to)).toEqual({ "service:checkout": 1 });
    expect(await frontendCalls(day.from, day.to)).toEqual({ "service:checkout": 1 });
    const m = await getServiceMap({ ...store }, { fromMs: minutes.from, toMs: minutes.to });
    expect(m.nodes.map((n) => n.id)).toContain("service:checkout");

    // Scanning again (its margin reads the last arrivals again) changes nothing.
    await leaderRun();
    expect(await frontendCalls(minutes.from, minutes.to)).toEqual({ "service:checkout": 1 });
    expect(await frontendCalls(day.from, day.to)).toEqual({ "service:checkout": 1 });
  });
});
