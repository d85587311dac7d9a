/**
 * Service map on ClickHouse at the rollup volume of 10M stored spans a day
 * (BENCH_ONLY=clickhouseMap; BENCH_CH_MAP_SPANS sets the span count it stands for).
 *
 * The map reads rollups only (edge minutes, RED minutes, graph nodes and edge facts), never
 * spans, so its cost is set by the rollup rows a day of traffic leaves. Filling 10M real spans
 * and pairing them takes hours on this machine (scripts/bench/clickhouse.ts does the real
 * pipeline at a smaller count), so this part writes, through the store's own write paths
 * (writeGraphPass, mergeRed), the rollups the span corpus of span-corpus.ts leaves at that rate:
 * 20 services, 380 service-to-service edges, 20 database edges, 20 caller edges; per minute
 * spans/4 traces spread over them; 10-minute pairing passes for the older hours and the
 * server's 10-second passes (six RED flushes a minute) for the last two. Then the leader's hour
 * compaction, and the map for 1 h and 24 h, cold and warm, before and after it
 * (BENCH_CH_MAP_SKIP_BEFORE=1 skips the slow "before"), then each store read the map makes, alone.
 */
import { startClickHouse } from "../../tests/helpers/clickhouse";
import { addToSketch, createSketch, encodeSketch, openClickHouseStore, type StoredRedCell } from "../../server/store";
import type { ClickHouseStore } from "../../server/store";
import type { GraphPass } from "../../server/store";
import { timeServiceMap, timeTrivialQuery } from "./clickhouse";
import { makeRng } from "./span-corpus";

const log = (msg: string) => console.error(`bench clickhouseMap: ${msg}`);

/** Milliseconds of one call (median of three), to show which store read a map query waits on. */
async function msOf(fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return Math.round(t.sort((a, b) => a - b)[1]! * 10) / 10;
}

/** Each store read of a 24 h map on its own: what the query's time is made of. */
async function readBreakdown(store: ReturnType<typeof openClickHouseStore>, nowMs: number) {
  const fromMinute = (nowMs - 24 * HOUR) / 60_000;
  const toMinute = nowMs / 60_000;
  const lastHour = { fromMinute: toMinute - 60, toMinute };
  return {
    readEdgeFacts: await msOf(() => store.graph.readEdgeFacts()),
    readEdgeHours24h: await msOf(() => store.graph.readEdgeHours({ fromMinute, toMinute })),
    readEdgeMinutesLastHour: await msOf(() => store.graph.readEdgeMinutes(lastHour)),
    readRedHours24h: await msOf(() => store.rollups.readRedHours({ fromMinute, toMinute, kinds: [2, 5] })),
    readRedLastHour: await msOf(() => store.rollups.readRed({ ...lastHour, kinds: [2, 5] })),
    readServiceNodes: await msOf(() => store.graph.readServiceNodes(nowMs - 24 * HOUR, nowMs)),
    listServices: await msOf(() => store.rollups.listServices({ fromMs: nowMs - 24 * HOUR, toMs: nowMs })),
    readCompleteness24h: await msOf(() => store.graph.readCompleteness({ fromMinute, toMinute })),
    // What the map reads: edges and completeness in one statement (a day, and its last two minutes).
    readGraphHours24h: await msOf(() => store.graph.readGraphHours({ fromMinute, toMinute })),
    readGraphHoursLast2Min: await msOf(() => store.graph.readGraphHours({ fromMinute: toMinute - 2, toMinute })),
  };
}
const HOUR = 3_600_000;
const SERVICES = 20;
const svc = (i: number) => `service:svc-${i}`;
const dbNode = (i: number) => `database:postgresql://db-${i}:5432/app`;

interface EdgeDef {
  source: string;
  target: string;
  protocol: string;
  share: number;
}

function edgeDefs(): EdgeDef[] {
  const out: EdgeDef[] = [];
  for (let a = 0; a < SERVICES; a++) {
    out.push({ source: "client:browser", target: svc(a), protocol: "http", share: 1 / SERVICES });
    out.push({ source: svc(a), target: dbNode(a), protocol: "db", share: 1 / SERVICES });
    for (let b = 0; b < SERVICES; b++)
      if (a !== b)
        out.push({ source: svc(a), target: svc(b), protocol: "http", share: 1 / (SERVICES * (SERVICES - 1)) });
  }
  return out;
}

function sketchOf(rand: () => number, n: number, baseMs: number): Buffer {
  const sk = createSketch();
  for (let i = 0; i < n; i++) addToSketch(sk, baseMs * Math.exp(rand() * 1.5));
  return encodeSketch(sk);
}

/** Calls of one edge in one minute slice (fractional expectations rounded at random). */
const callsOf = (rand: () => number, mean: number) => Math.floor(mean) + (rand() < mean % 1 ? 1 : 0);

function makePass(
  rand: () => number,
  defs: EdgeDef[],
  pass: number,
  stepMs: number,
  tracesPerMinute: number,
): GraphPass {
  const edges: GraphPass["edges"] = [];
  const completeness: GraphPass["completeness"] = [];
  const slice = Math.min(1, stepMs / 60_000);
  for (let m = pass / 60_000; m < (pass + stepMs) / 60_000; m++) {
    let paired = 0;
    for (const d of defs) {
      const calls = callsOf(rand, tracesPerMinute * d.share * slice);
      if (calls === 0) continue;
      paired += calls;
      edges.push({
        source: d.source,
        target: d.target,
        protocol: d.protocol,
        minute: Math.floor(m),
        calls,
        errors: rand() < 0.01 * calls ? 1 : 0,
        connects: 0,
        clientSketch: sketchOf(rand, Math.min(calls, 8), 6),
        serverSketch:
          d.source.startsWith("client:") || d.protocol === "db"
            ? sketchOf(rand, 0, 1)
            : sketchOf(rand, Math.min(calls, 8), 5),
      });
    }
    completeness.push({
      minute: Math.floor(m),
      paired,
      unpairedClient: 0,
      unpairedServer: 0,
      virtual: 0,
      expired: 0,
      dropped: 0,
    });
  }
  const seen = { firstSeenMs: pass, lastSeenMs: pass + stepMs - 1 };
  const nodes: GraphPass["nodes"] = [];
  for (let i = 0; i < SERVICES; i++) {
    nodes.push({ id: svc(i), kind: "service", name: `svc-${i}`, ...seen });
    nodes.push({
      id: dbNode(i),
      kind: "database",
      name: "app",
      system: "postgresql",
      host: `db-${i}`,
      port: 5432,
      database: "app",
      detail: { tables: ["orders", "items"] },
      ...seen,
    });
  }
  nodes.push({ id: "client:browser", kind: "client", name: "browser", ...seen });
  const present = new Set(edges.map((e) => `${e.source}\u0000${e.target}\u0000${e.protocol}`));
  const edgeMeta = defs
    .filter((d) => present.has(`${d.source}\u0000${d.target}\u0000${d.protocol}`))
    .map((d) => ({
      source: d.source,
      target: d.target,
      protocol: d.protocol,
      ...seen,
      tables: d.protocol === "db" ? ["items", "orders"] : [],
    }));
  return { pass, edges, nodes, edgeMeta, completeness };
}

function redRows(rand: () => number, minute: number, tracesPerMinute: number, parts: number): StoredRedCell[] {
  const out: StoredRedCell[] = [];
  const perService = tracesPerMinute / SERVICES / parts;
  for (let p = 0; p < parts; p++)
    for (let i = 0; i < SERVICES; i++)
      for (const [operation, kind, base] of [
        ["GET /api", 2, 8],
        ["GET", 3, 6],
        ["SELECT app.orders", 3, 2],
      ] as const) {
        const count = callsOf(rand, perService * (kind === 2 ? 2 : 1));
        if (count === 0) continue;
        out.push({
          service: `svc-${i}`,
          environment: "",
          operation,
          kind,
          minute,
          count,
          errors: 0,
          sketch: sketchOf(rand, Math.min(count, 16), base),
        });
      }
  return out;
}

/**
 * Writes the rollups `spans` stored spans a day leave over the `hours` before `nowMs` (the last
 * two in 10-second passes, six RED flushes a minute), through the store's own write paths.
 */
export async function fillMapRollups(store: ClickHouseStore, spans: number, nowMs: number, hours = 24) {
  const rand = makeRng(11);
  const fromMs = nowMs - hours * HOUR;
  const recentMs = Math.floor(nowMs / HOUR) * HOUR - HOUR;
  const tracesPerMinute = spans / 4 / 1440;
  const defs = edgeDefs();
  const t0 = Date.now();
  let passes = 0;
  let edgeRows = 0;
  let redCount = 0;
  for (let pass = fromMs; pass < nowMs - 60_000;) {
    const stepMs = pass >= recentMs ? 10_000 : Math.min(600_000, recentMs - pass);
    const p = makePass(rand, defs, pass, stepMs, tracesPerMinute);
    await store.writeGraphPass(p, Date.now());
    passes++;
    edgeRows += p.edges.length;
    pass += stepMs;
  }
  for (let hour = fromMs; hour < nowMs; hour += HOUR) {
    const rows: StoredRedCell[] = [];
    for (let m = hour / 60_000; m < Math.min(nowMs, hour + HOUR) / 60_000; m++)
      rows.push(...redRows(rand, m, tracesPerMinute, m * 60_000 >= recentMs ? 6 : 1));
    await store.rollups.mergeRed(rows, []);
    redCount += rows.length;
  }
  await store.rollups.mergeRed(
    [],
    Array.from({ length: SERVICES }, (_, i) => ({
      name: `svc-${i}`,
      namespace: null,
      environment: null,
      firstSeenMs: fromMs,
      lastSeenMs: nowMs - 60_000,
    })),
  );
  const fill = {
    standsForSpans: spans,
    passes,
    edgeMinuteRows: edgeRows,
    redMinuteRows: redCount,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  return fill;
}

export async function benchClickHouseMap(spans = Number(process.env.BENCH_CH_MAP_SPANS ?? 10_000_000)) {
  const ch = await startClickHouse();
  const store = openClickHouseStore({
    urls: [ch.nodes[0]!.url],
    database: "cg_bench_map",
    user: "default",
    password: "",
    cluster: null,
  });
  try {
    await store.migrate();
    const nowMs = Math.floor(Date.now() / 60_000) * 60_000;
    const fill = await fillMapRollups(store, spans, nowMs);
    log(`filled: ${JSON.stringify(fill)}`);
    // Before compaction: what a window costs while the leader has not compacted (a few runs: slow).
    const before = process.env.BENCH_CH_MAP_SKIP_BEFORE ? null : await timeServiceMap(store, nowMs, 3);
    log(`before compaction: ${JSON.stringify(before)}`);
    const c0 = Date.now();
    const hours = await store.compactGraphHours(10_000, nowMs);
    const minutes = await store.compactGraphMinutes(10_000, nowMs);
    const compaction = {
      hours: hours.length,
      mergedMinutes: minutes.length,
      seconds: Math.round((Date.now() - c0) / 100) / 10,
    };
    log(`compaction: ${JSON.stringify(compaction)}`);
    // The same connection's cheapest query in the same run: what the machine's load adds to any query.
    const trivial = await timeTrivialQuery(store);
    log(`trivial query: ${JSON.stringify(trivial)}`);
    const after = await timeServiceMap(store, nowMs);
    log(`after compaction: ${JSON.stringify(after)}`);
    const reads = await readBreakdown(store, nowMs);
    log(`store reads (ms, median of 3): ${JSON.stringify(reads)}`);
    return {
      fill,
      serviceMapBeforeCompaction: before,
      compaction,
      trivialQuery: trivial,
      serviceMap: after,
      storeReadsMs: reads,
    };
  } finally {
    await store.close();
    await ch.stop();
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1])
  console.log(JSON.stringify(await benchClickHouseMap(), null, 2));
