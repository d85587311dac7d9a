import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClickHouse, storeSettingsFor, type LoopbackClickHouse } from "../helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore } from "../../server/store";
import { createRedAggregator, recoverAbandonedRed, type RedRecoveryStore } from "../../server/aggregate/red";
import type { Span } from "../../server/normalize";

/**
 * RED of a writer killed between two rollup flushes, on a real two-shard ClickHouse (Debian's
 * 18.16 here): the leader recovers it from the stored spans, and neither a second recovery, a
 * late flush of the writer taken for gone, nor a second writer's rows make anything count twice.
 */
let ch: LoopbackClickHouse;
const stores: ClickHouseStore[] = [];

/** `paused`: a writer that stops heartbeating (as a killed or frozen process does). */
function open(paused = false): ClickHouseStore {
  const s = openClickHouseStore(storeSettingsFor(ch, "cg_red_recovery"), { heartbeatMs: paused ? 3_600_000 : 5_000 });
  stores.push(s);
  return s;
}

const T = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
const MINUTE = T / 60_000 + 7;

function span(service: string, i: number, failed = false): Span {
  const startMs = MINUTE * 60_000 + i;
  return {
    traceId: `${service.padEnd(8, "0")}${String(i).padStart(24, "0")}`.slice(0, 32),
    spanId: String(i + 1).padStart(16, "0"),
    parentSpanId: null,
    name: "GET /cart",
    kind: 2,
    startNs: BigInt(startMs) * 1_000_000n,
    endNs: BigInt(startMs + 10 + i) * 1_000_000n,
    statusCode: failed ? 2 : 0,
    statusMessage: "",
    attributes: {},
    events: [],
    links: [],
    scope: { name: "s", version: "1" },
    resource: { service, namespace: null, environment: null, attributes: { "service.name": service } },
  };
}

/** A writer as the writer thread runs one: appends through the journal, observes, flushes with the journal. */
function writer(store: ClickHouseStore) {
  const red = createRedAggregator();
  return {
    async append(spans: Span[]) {
      const r = await store.ingest.append([{ spans, points: [], logs: [] }], Date.now());
      red.observe(r.inserted, Date.now());
    },
    flush: () => store.ingest.rollupJournal!.flushAtomically(async () => red.flush(store, Date.now())),
    /** A flush whose RED append fails before anything is stored (ClickHouse unreachable). */
    failedFlush: () =>
      store.ingest.rollupJournal!.flushAtomically(async () =>
        red.flush(
          {
            ...store,
            rollups: {
              ...store.rollups,
              mergeRed: () => Promise.reject(new Error("ClickHouse unreachable")),
            },
          },
          Date.now(),
        ),
      ),
  };
}

async function red(store: ClickHouseStore, service: string) {
  const minutes = await store.rollups.readRed({ fromMinute: MINUTE, toMinute: MINUTE + 1, service });
  const hours = await store.rollups.readRedHours({ fromMinute: T / 60_000, toMinute: T / 60_000 + 60, service });
  const sum = (rows: { count: number; errors: number }[]) => ({
    count: rows.reduce((n, r) => n + r.count, 0),
    errors: rows.reduce((n, r) => n + r.errors, 0),
  });
  return { minute: sum(minutes), hour: sum(hours) };
}

beforeAll(async () => {
  ch = await startClickHouse({ shards: 2 });
  await open().migrate();
}, 120_000);

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await ch?.stop();
});

describe("RED across a killed writer on ClickHouse", () => {
  it("recovers a killed writer's epochs once, and a late flush of it replaces the recovery", async () => {
    const leader = open();
    const killed = open(true);
    const other = open();
    const a = writer(killed);
    const b = writer(other);
    await a.append(Array.from({ length: 30 }, (_, i) => span("checkout", i, i < 4)));
    // The second writer's rows for the same service and minute merge with whatever a's become.
    await b.append(Array.from({ length: 5 }, (_, i) => span("checkout", 100 + i)));
    await b.flush();
    expect(await red(leader, "checkout")).toEqual({ minute: { count: 5, errors: 0 }, hour: { count: 5, errors: 0 } });

    // Writer a is killed (or frozen): it never flushes, never heartbeats. Two leaders (a failover
    // mid-run) both list its epochs before either recovers them, and both recover them.
    await new Promise((r) => setTimeout(r, 2_100));
    const due = await leader.listAbandonedEpochs(1);
    expect(due.map((d) => d.epochs)).toEqual([[1]]);
    const racing = (s: ClickHouseStore): RedRecoveryStore => ({
      listAbandonedEpochs: async () => due,
      readEpochSpans: (x) => s.readEpochSpans(x),
      writeRecoveredRed: (x, r) => s.writeRecoveredRed(x, r),
    });
    const o = { silentS: 1, nowMs: Date.now() };
    expect(await Promise.all([recoverAbandonedRed(racing(leader), o), recoverAbandonedRed(racing(open()), o)])).toEqual(
      [1, 1],
    );
    const want = { count: 35, errors: 4 };
    expect(await red(leader, "checkout")).toEqual({ minute: want, hour: want });
    // Settled: the next run finds nothing.
    expect(await recoverAbandonedRed(leader, o)).toBe(0);

    // The writer was only paused: its flush lands after the recovery and replaces it.
    await a.flush();
    expect(await red(leader, "checkout")).toEqual({ minute: want, hour: want });
  }, 120_000);

  it("a flush after a failed one covers both epochs: nothing is recovered, nothing counted twice", async () => {
    const leader = open();
    const w = writer(open(true));
    await w.append(Array.from({ length: 10 }, (_, i) => span("cart", i, i < 2)));
    await expect(w.failedFlush()).rejects.toThrow("unreachable");
    await w.append(Array.from({ length: 5 }, (_, i) => span("cart", 50 + i)));
    await w.flush();
    const want = { count: 15, errors: 2 };
    expect(await red(leader, "cart")).toEqual({ minute: want, hour: want });
    // The writer then dies: both of its epochs are counted by its last flush.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await recoverAbandonedRed(leader, { silentS: 1, nowMs: Date.now() })).toBe(0);
    expect(await red(leader, "cart")).toEqual({ minute: want, hour: want });
  }, 60_000);
});
