import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startClickHouse, type LoopbackClickHouse } from "../helpers/clickhouse";
import { openClickHouseStore, type ClickHouseStore, type EdgeMinuteRow } from "../../server/store";
import { addToSketch, createSketch, decodeSketch, encodeSketch, quantile } from "../../server/aggregate/red";
import type { Span } from "../../server/normalize";
import { getServiceMap } from "../../server/query";

/** The ClickHouse store on one real node (Debian's 18.16 here): schema, appends, merges, retention. */
let ch: LoopbackClickHouse;
let one: ClickHouseStore;
let two: ClickHouseStore;

const settings = (url: string) => ({
  urls: [url],
  database: "cg_store_test",
  user: "default",
  password: "",
  cluster: null,
});

function span(traceId: string, spanId: string, startMs: number, over: Partial<Span> = {}): Span {
  return {
    traceId,
    spanId,
    parentSpanId: null,
    name: "GET /",
    kind: 2,
    startNs: BigInt(startMs) * 1_000_000n + 123n,
    endNs: BigInt(startMs + 5) * 1_000_000n,
    statusCode: 0,
    statusMessage: "",
    attributes: { "http.request.method": "GET", n: 1, nested: { a: [1, "x"] } },
    events: [{ timeUnixNano: BigInt(startMs) * 1_000_000n + 7n, name: "e", attributes: {} }],
    links: [],
    scope: { name: "s", version: "1" },
    resource: { service: "api", namespace: "shop", environment: null, attributes: { "service.name": "api" } },
    ...over,
  };
}

beforeAll(async () => {
  ch = await startClickHouse();
  one = openClickHouseStore(settings(ch.nodes[0]!.url));
  two = openClickHouseStore(settings(ch.nodes[0]!.url));
  await Promise.all([one.migrate(), two.migrate()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
  await ch?.stop();
});

describe("ClickHouse store", () => {
  it("applies its versioned schema idempotently (again, and from two instances at once)", async () => {
    expect(await Promise.all([one.migrate(), two.migrate()])).toEqual([10, 10]);
    expect(one.ready()).toBe(true);
  });

  it("stores spans exactly (ns times, attributes, events) and skips a replayed batch", async () => {
    const t = Date.UTC(2026, 10, 30, 6, 0, 0);
    const batch = [
      span("a".repeat(32), "1".repeat(16), t),
      span("a".repeat(32), "2".repeat(16), t + 70_000, { parentSpanId: "1".repeat(16), kind: 3 }),
    ];
    expect((await one.appendSpans(batch)).length).toBe(2);
    expect((await two.appendSpans(batch)).length).toBe(0);
    const read = await two.readTraceSpans("a".repeat(32));
    expect(read).toEqual(batch);
    expect(await one.spans.listTraceIdsInWindow(t, t + 1)).toEqual(["a".repeat(32)]);
    const found = await one.spans.searchTraces({
      fromNs: BigInt(t) * 1_000_000n,
      toNs: BigInt(t + 120_000) * 1_000_000n,
      attrs: [{ key: "http.request.method", value: "GET" }],
      limit: 10,
    });
    expect(found).toMatchObject([{ traceId: "a".repeat(32), rootService: "api", spanCount: 2 }]);
  });

  it("merges RED rows that two instances wrote for the same minute: counts add, sketches merge exactly", async () => {
    const minute = 29_000_000;
    const all = createSketch();
    const parts = [createSketch(), createSketch()];
    for (let i = 1; i <= 500; i++) {
      const v = i * 1.7;
      addToSketch(all, v);
      addToSketch(parts[i % 2]!, v);
    }
    const row = (sk: ReturnType<typeof createSketch>, errors: number) => ({
      service: "api",
      environment: "",
      operation: "GET /",
      kind: 2,
      minute,
      count: sk.count,
      errors,
      sketch: encodeSketch(sk),
    });
    await Promise.all([one.rollups.mergeRed([row(parts[0]!, 1)], []), two.rollups.mergeRed([row(parts[1]!, 2)], [])]);
    const [merged] = await one.rollups.readRed({ fromMinute: minute, toMinute: minute + 1 });
    expect(merged).toMatchObject({ count: 500, errors: 3 });
    const sk = decodeSketch(merged!.sketch);
    for (const q of [0.5, 0.95, 0.99]) expect(quantile(sk, q)).toBe(quantile(all, q));
  });

  it("RED hour rollups (materialized view) equal the hour's minutes from every instance merged", async () => {
    const hour = Math.floor(Date.now() / 3_600_000) + 2;
    const all = createSketch();
    const parts = [createSketch(), createSketch()];
    for (let i = 1; i <= 600; i++) {
      addToSketch(all, i * 0.9);
      addToSketch(parts[i % 2]!, i * 0.9);
    }
    const row = (sk: ReturnType<typeof createSketch>, minute: number, errors: number) => ({
      service: "hourly",
      environment: "prod",
      operation: "GET /h",
      kind: 2,
      minute,
      count: sk.count,
      errors,
      sketch: encodeSketch(sk),
    });
    await one.rollups.mergeRed([row(parts[0]!, hour * 60 + 1, 1)], []);
    await two.rollups.mergeRed([row(parts[1]!, hour * 60 + 59, 2)], []);
    const window = { fromMinute: hour * 60, toMinute: hour * 60 + 60, service: "hourly" };
    const got = await one.rollups.readRedHours(window);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ minute: hour * 60, count: 600, errors: 3, environment: "prod", kind: 2 });
    const sk = decodeSketch(got[0]!.sketch);
    for (const q of [0.5, 0.95, 0.99]) expect(quantile(sk, q)).toBe(quantile(all, q));
    // Another hour of the same key stays apart.
    await one.rollups.mergeRed([row(all, (hour - 5) * 60 + 7, 4)], []);
    const early = await one.rollups.readRedHours({ ...window, fromMinute: (hour - 5) * 60 });
    expect(early.map((r) => [r.minute, r.count, r.errors])).toEqual(
      expect.arrayContaining([
        [(hour - 5) * 60, 600, 4],
        [hour * 60, 600, 3],
      ]),
    );
  });

  it("compacting a closed hour of the graph changes no map answer and is done once", async () => {
    const hourMs = (Math.floor(Date.now() / 3_600_000) - 3) * 3_600_000;
    const sketchOf = (...ms: number[]) => {
      const sk = createSketch();
      for (const v of ms) addToSketch(sk, v);
      return encodeSketch(sk);
    };
    // Six ten-minute pairing passes over the hour, the same edges in each, a table per pass.
    for (let i = 0; i < 6; i++) {
      const pass = hourMs + i * 600_000;
      const minute = pass / 60_000 + 3;
      const edge = (target: string, protocol: string, calls: number) => ({
        source: "service:shop",
        target,
        protocol,
        minute,
        calls,
        errors: i === 2 ? 1 : 0,
        connects: 0,
        clientSketch: sketchOf(5 + i, 9 + i),
        serverSketch: sketchOf(4 + i),
      });
      await one.writeGraphPass(
        {
          pass,
          edges: [edge("service:stock", "http", 2), edge("database:postgresql://db:5432/shop", "db", 3)],
          nodes: [
            { id: "service:shop", kind: "service", name: "shop", firstSeenMs: pass, lastSeenMs: pass + 1000 },
            { id: "service:stock", kind: "service", name: "stock", firstSeenMs: pass, lastSeenMs: pass + 1000 },
            {
              id: "database:postgresql://db:5432/shop",
              kind: "database",
              name: "shop",
              system: "postgresql",
              host: "db",
              port: 5432,
              database: "shop",
              detail: { tables: [`t${i}`] },
              firstSeenMs: pass,
              lastSeenMs: pass + 1000,
            },
          ],
          edgeMeta: [
            {
              source: "service:shop",
              target: "database:postgresql://db:5432/shop",
              protocol: "db",
              firstSeenMs: pass,
              lastSeenMs: pass + 1000,
              tables: [`t${i}`],
            },
          ],
          completeness: [
            { minute, paired: 2, unpairedClient: 3, unpairedServer: 0, virtual: 3, expired: 0, dropped: 0 },
          ],
        },
        Date.now(),
      );
    }
    // A fresh owner object per read: the query stage's block cache is per reader.
    const q = { fromMs: hourMs - 3_600_000, toMs: hourMs + 2 * 3_600_000 };
    const before = await getServiceMap({ ...one }, q);
    const db = before.edges.find((e) => e.target === "database:postgresql://db:5432/shop")!;
    expect(db.tables).toEqual(["t0", "t1", "t2", "t3", "t4", "t5"]);
    expect(before.edges.map((e) => e.clientStats?.requests).sort()).toEqual([12, 18]);
    expect(await one.compactGraphHours(600_000, Date.now())).toEqual([hourMs / 3_600_000]);
    expect(await two.compactGraphHours(600_000, Date.now())).toEqual([]);
    const hours = await one.graph.readEdgeHours({ fromMinute: hourMs / 60_000, toMinute: hourMs / 60_000 + 60 });
    expect(hours.map((r) => r.calls).sort()).toEqual([12, 18]);
    expect(await getServiceMap({ ...two }, q)).toEqual(before);
    expect(await getServiceMap({ ...one }, { fromMs: hourMs, toMs: hourMs + 3_600_000 })).toEqual(
      await getServiceMap({ ...two }, { fromMs: hourMs, toMs: hourMs + 3_600_000 }),
    );
  });

  it("merging closed minutes of the graph changes no read, counts once, and a merge cut short counts nothing", async () => {
    const store = openClickHouseStore({ ...settings(ch.nodes[0]!.url), database: "cg_merge_test" });
    const other = openClickHouseStore({ ...settings(ch.nodes[0]!.url), database: "cg_merge_test" });
    const sql = (query: string) => fetch(ch.nodes[0]!.url, { method: "POST", body: query }).then((r) => r.text());
    try {
      await store.migrate();
      const hourMs = (Math.floor(Date.now() / 3_600_000) - 2) * 3_600_000;
      const m0 = hourMs / 60_000;
      const sk = (...ms: number[]) => {
        const s = createSketch();
        for (const v of ms) addToSketch(s, v);
        return encodeSketch(s);
      };
      // Ninety 20-second passes (a minute holds three rows per edge): the watermark ends 30 minutes in.
      const writePass = (i: number) => {
        const pass = hourMs + i * 20_000;
        const minute = Math.floor(pass / 60_000);
        return store.writeGraphPass(
          {
            pass,
            edges: [
              {
                source: "service:a",
                target: "service:b",
                protocol: "http",
                minute,
                calls: 1 + (i % 4),
                errors: i % 7 === 0 ? 1 : 0,
                connects: 0,
                clientSketch: sk(3 + i, 40 + i),
                serverSketch: sk(2 + i),
              },
            ],
            nodes: [
              { id: "service:a", kind: "service", name: "a", firstSeenMs: pass, lastSeenMs: pass + 1000 },
              { id: "service:b", kind: "service", name: "b", firstSeenMs: pass, lastSeenMs: pass + 1000 },
            ],
            edgeMeta: [
              {
                source: "service:a",
                target: "service:b",
                protocol: "http",
                firstSeenMs: pass,
                lastSeenMs: pass + 1000,
                tables: [],
              },
            ],
            completeness: [
              {
                minute,
                paired: 1 + (i % 4),
                unpairedClient: i % 3,
                unpairedServer: 0,
                virtual: 1,
                expired: 0,
                dropped: i % 2,
              },
            ],
          },
          Date.now(),
        );
      };
      for (let i = 0; i < 90; i += 15) await Promise.all(Array.from({ length: 15 }, (_, k) => writePass(i + k)));
      const windows = [
        { fromMinute: m0, toMinute: m0 + 60 },
        { fromMinute: m0 + 5, toMinute: m0 + 23 },
        { fromMinute: m0 + 29, toMinute: m0 + 31 },
      ];
      const reads = () =>
        Promise.all([
          ...windows.map((w) => store.graph.readEdgeHours(w)),
          ...windows.map((w) => store.graph.readEdgeMinutes(w)),
          ...windows.map((w) => store.graph.readGraphHours(w)),
        ]);
      // The map's one-statement read (edges and completeness at one pass state) answers what the
      // separate reads answer, with and without whole hours in the window.
      const byKey = (rows: { source: string; minute: number }[]) =>
        [...rows].sort((a, b) => a.minute - b.minute || a.source.localeCompare(b.source));
      for (const w of windows) {
        const one = await store.graph.readGraphHours(w);
        expect(byKey(one.edges)).toEqual(byKey(await store.graph.readEdgeHours(w)));
        const total = await store.graph.readCompleteness(w);
        for (const k of Object.keys(total) as (keyof typeof total)[])
          expect(one.completeness.reduce((n, c) => n + c[k], 0)).toBe(total[k]);
        expect(one.completeness.every((c) => c.minute % 60 === 0)).toBe(true);
      }
      const q = { fromMs: hourMs - 1_800_000, toMs: hourMs + 1_860_000, nowMs: hourMs + 3_600_000 };
      const before = await reads();
      const mapBefore = await getServiceMap({ ...store }, q);
      expect((before[0] as EdgeMinuteRow[])[0]).toMatchObject({ minute: m0, lastMinute: m0 + 29, calls: 223 });
      // A merge cut short (rows of minute m0 + 1 written, no commit row): readers must not count them.
      await sql(
        `INSERT INTO cg_merge_test.edge_merged (day, minute, attempt, source, target, protocol, calls) VALUES ('${new Date(hourMs).toISOString().slice(0, 10)}', ${m0 + 1}, '0-dead', 'service:a', 'service:b', 'http', 1000)`,
      );
      // Two leaders merge at once: every closed minute once each, the half-written one never.
      const [x, y] = await Promise.all([
        store.compactGraphMinutes(20_000, Date.now()),
        other.compactGraphMinutes(20_000, Date.now()),
      ]);
      expect(x).toEqual(Array.from({ length: 30 }, (_, i) => m0 + i));
      expect(y).toEqual(x);
      expect(await store.compactGraphMinutes(20_000, Date.now())).toEqual([]);
      // The pass rows of the merged minutes are gone from disk: what readers answer now comes from the merge.
      await sql(`ALTER TABLE cg_merge_test.edge_minute DELETE WHERE minute < ${m0 + 30}`);
      for (let i = 0; i < 100; i++) {
        const pending = await sql(
          "SELECT count() FROM system.mutations WHERE database = 'cg_merge_test' AND is_done = 0",
        );
        if (pending.trim() === "0") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await sql(`SELECT count() FROM cg_merge_test.edge_minute`)).toBe("0\n");
      expect(await reads()).toEqual(before);
      expect(await getServiceMap({ ...other }, q)).toEqual(mapBefore);
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });

  it("retention drops whole day partitions past the cutoff and keeps the rest", async () => {
    const old = Date.UTC(2026, 10, 20, 12, 0, 0);
    const recent = Date.UTC(2026, 10, 29, 12, 0, 0);
    await one.appendSpans([span("b".repeat(32), "3".repeat(16), old), span("c".repeat(32), "4".repeat(16), recent)]);
    const dropped = await one.dropExpired(Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 25));
    expect(dropped).toContain("spans/2026-11-20");
    expect(await one.readTraceSpans("b".repeat(32))).toEqual([]);
    expect((await one.readTraceSpans("c".repeat(32))).length).toBe(1);
    expect(await one.dropExpired(Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 25))).toEqual([]);
  });

  it("the disk budget drops the oldest days, raw data first, never the current day", async () => {
    const store = openClickHouseStore({ ...settings(ch.nodes[0]!.url), database: "cg_budget_test" });
    try {
      await store.migrate();
      const DAY = 86_400_000;
      const now = Date.UTC(2026, 10, 30, 15, 0, 0);
      const days = [now - 3 * DAY, now - 2 * DAY, now - DAY, now];
      const ids = days.map((_, i) => String(i + 1).repeat(32));
      for (const [i, d] of days.entries())
        await store.appendSpans(
          Array.from({ length: 200 }, (_, k) => span(ids[i]!, (k + 1).toString(16).padStart(16, "0"), d + k)),
        );
      const sk = createSketch();
      addToSketch(sk, 5);
      const red = (ms: number) => ({
        service: "api",
        environment: "",
        operation: "GET /",
        kind: 2,
        minute: Math.floor(ms / 60_000),
        count: 1,
        errors: 0,
        sketch: encodeSketch(sk),
      });
      await store.rollups.mergeRed([red(days[0]!), red(now)], []);
      const redOf = async (ms: number) =>
        (await store.rollups.readRed({ fromMinute: Math.floor(ms / 60_000), toMinute: Math.floor(ms / 60_000) + 1 }))
          .length;

      // Just under what is stored: the oldest day of raw data goes, its rollups stay.
      const used = await store.retention.measureUsedBytes();
      const first = await store.dropOverBudget(used - 1, now);
      expect(first.dropped).toContain("spans/2026-11-27");
      expect(first.dropped.every((p) => p.endsWith("/2026-11-27"))).toBe(true);
      expect(first.overBudget).toBe(false);
      expect(first.usedBytes).toBeLessThan(used);
      expect(await store.readTraceSpans(ids[0]!)).toEqual([]);
      expect((await store.readTraceSpans(ids[1]!)).length).toBe(200);
      expect(await redOf(days[0]!)).toBe(1);

      // A budget nothing fits: every earlier day goes, raw then rollups; today's data stays.
      const all = await store.dropOverBudget(1, now);
      expect(all.overBudget).toBe(true);
      expect(all.dropped).toEqual(
        expect.arrayContaining(["spans/2026-11-28", "spans/2026-11-29", "red_minute/2026-11-27"]),
      );
      expect(all.dropped.some((p) => p.endsWith("/2026-11-30"))).toBe(false);
      expect(await store.readTraceSpans(ids[2]!)).toEqual([]);
      expect((await store.readTraceSpans(ids[3]!)).length).toBe(200);
      expect(await redOf(days[0]!)).toBe(0);
      expect(await redOf(now)).toBe(1);
    } finally {
      await store.close();
    }
  });
});
