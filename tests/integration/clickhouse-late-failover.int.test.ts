import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { startClickHouse, storeSettingsFor, type LoopbackClickHouse } from "../helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore } from "../../server/store";
import { LatePassScanner, runDuePairingPasses } from "../../server/aggregate/servicegraph";
import type { Span } from "../../server/normalize";
import { createSpanFactory } from "../fixtures/servicegraph/span-factory";
import { getServiceMap } from "../../server/query";

/**
 * Late windows survive a leader change on ClickHouse. Six calls, one per one-minute window, are
 * paired while their callee's half is missing (drawn to an external node); then the callees'
 * halves arrive. A leader that re-pairs only some of those windows in a run (its pass cap, a pass
 * that fails) and then dies leaves the rest to the next leader, which starts with nothing in
 * memory: every window is paired again and every call counted once on its callee. Two leaders
 * racing over the same late windows (a failover while the old one still runs) count each call
 * once too. On a two-shard cluster (every row goes through the Distributed tables).
 */
let ch: LoopbackClickHouse;
let store: ClickHouseStore;
const HOUR = 3_600_000;
const STEP = 60_000;
/** The scan re-reads this many seconds before its mark (late-passes.ts): arrivals older are behind it. */
const SCAN_MARGIN_MS = 10_000;
// Each group of windows in an hour of its own that ended at least an hour ago: final passes, merged
// minutes, a compacted hour (a window of that whole hour reads the hour rollups).
const lastHour = Math.floor((Date.now() - 2 * HOUR) / HOUR) * HOUR;
const PASSES_FROM = lastHour - HOUR - STEP;
const CALLS = 6;

const f = createSpanFactory();
const at = { name: "POST /checkout", durationMs: 20 };

/** One call per window from 5 minutes into `hour` on: the caller's spans and, apart, the callee's half. */
function calls(group: string, hour: number) {
  const firstMs = hour + 5 * 60_000;
  const callers: Span[] = [];
  const answers: Span[] = [];
  const windows: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = firstMs + i * STEP + 7_000;
    const trace = `${group}${i}`.padEnd(32, "0");
    const root = f.server("frontend", { ...at, trace, spanId: `a${i}`.padEnd(16, "0"), startMs: t });
    const call = f.client("frontend", {
      ...at,
      trace,
      spanId: `b${i}`.padEnd(16, "0"),
      startMs: t + 1,
      parent: root,
      name: "POST",
      attrs: { "http.request.method": "POST", "server.address": "checkout", "server.port": 8080 },
    });
    callers.push(root, call);
    answers.push(f.server("checkout", { ...at, trace, spanId: `c${i}`.padEnd(16, "0"), startMs: t + 3, parent: call }));
    windows.push(Math.floor(t / STEP) * STEP);
  }
  return { callers, answers, windows, from: firstMs - 5 * 60_000, to: firstMs + (CALLS + 5) * STEP, hour };
}

/** Requests per target of frontend's edges in a window. */
async function frontendCalls(fromMs: number, toMs: number): Promise<Record<string, number>> {
  const m = await getServiceMap({ ...store }, { fromMs, toMs });
  const out: Record<string, number> = {};
  for (const e of m.edges)
    if (e.source === "service:frontend") out[e.target] = (out[e.target] ?? 0) + (e.stats?.requests ?? 0);
  return out;
}

/** The leader's other work after its late scan: due final passes, then the hour and minute rollups. */
async function pairAndCompact(startMs: number): Promise<void> {
  const nowMs = Date.now();
  await runDuePairingPasses(store, { stepMs: STEP, settleMs: STEP, nowMs, startMs });
  await store.compactGraphHours(STEP, nowMs);
  await store.compactGraphMinutes(STEP, nowMs);
}

/**
 * Stores the callers, pairs them (unanswered: drawn to the address they called, whose node id it
 * returns) and scans, then stores the answers and waits until their arrivals are behind the margin
 * of any scan after the next one.
 */
async function answeredLate(g: ReturnType<typeof calls>): Promise<string> {
  await store.appendSpans(g.callers);
  await pairAndCompact(PASSES_FROM);
  // The leader's scans so far: its mark is now past the callers' arrivals.
  await new LatePassScanner().run(store, { stepMs: STEP, nowMs: Date.now() });
  const before = await frontendCalls(g.from, g.to);
  expect(before["service:checkout"]).toBeUndefined();
  expect(Object.values(before)).toEqual([CALLS]);
  await store.appendSpans(g.answers);
  await sleep(SCAN_MARGIN_MS + 1_500);
  return Object.keys(before)[0]!;
}

beforeAll(async () => {
  ch = await startClickHouse({ shards: 2 });
  store = openClickHouseStore(storeSettingsFor(ch, "cg_late_failover"));
  await store.migrate();
}, 60_000);

afterAll(async () => {
  await store?.close();
  await ch?.stop();
});

describe("late windows across a leader change", () => {
  it("windows past the pass cap and a failed pass are paired again by the next leader", async () => {
    const g = calls("e", lastHour);
    const address = await answeredLate(g);
    const [w0, w1] = g.windows;
    let failOnce = true;
    const flaky: ClickHouseStore = {
      ...store,
      writeGraphPass: async (pass, nowMs) => {
        if (pass.pass === w1 && failOnce) {
          failOnce = false;
          throw new Error("connection reset");
        }
        return store.writeGraphPass(pass, nowMs);
      },
    };
    const first = await new LatePassScanner().run(flaky, { stepMs: STEP, nowMs: Date.now(), maxPasses: 3 });
    expect(first.passed).toEqual([w0, g.windows[2]]);
    expect(first.failed).toEqual([w1]);
    expect(first.waiting).toBe(CALLS - 2);
    await pairAndCompact(PASSES_FROM);
    expect(await frontendCalls(g.from, g.to)).toEqual({ "service:checkout": 2, [address]: CALLS - 2 });

    // The leader dies; the next one starts with nothing in memory.
    const next = new LatePassScanner();
    const second = await next.run(store, { stepMs: STEP, nowMs: Date.now() });
    await pairAndCompact(PASSES_FROM);
    expect(second.passed).toEqual(g.windows.filter((w) => w !== w0 && w !== g.windows[2]));
    expect(second.waiting).toBe(0);
    expect(await frontendCalls(g.from, g.to)).toEqual({ "service:checkout": CALLS });
    expect(await frontendCalls(g.hour, g.hour + HOUR)).toEqual({ "service:checkout": CALLS });
    expect((await next.run(store, { stepMs: STEP, nowMs: Date.now() })).passed).toEqual([]);
  });

  it("two leaders racing over the same late windows count every call once", async () => {
    const g = calls("f", lastHour - HOUR);
    await answeredLate(g);
    const a = new LatePassScanner();
    const b = new LatePassScanner();
    const o = () => ({ stepMs: STEP, nowMs: Date.now(), maxPasses: 2 });
    const passed: number[] = [];
    for (let round = 0; round < CALLS; round++) {
      const runs = await Promise.all([a.run(store, o()), b.run(store, o())]);
      for (const r of runs) passed.push(...r.passed);
      if (runs.every((r) => r.waiting === 0)) break;
    }
    await pairAndCompact(PASSES_FROM);
    expect([...new Set(passed)].sort((x, y) => x - y)).toEqual(g.windows);
    expect(await frontendCalls(g.from, g.to)).toEqual({ "service:checkout": CALLS });
    expect(await frontendCalls(g.hour, g.hour + HOUR)).toEqual({ "service:checkout": CALLS });
  });
});
