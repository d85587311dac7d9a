/**
 * Service-map benchmark. A synthetic fleet (50 services in 5 layers, 150 service→service edges,
 * 30 databases, 3 Kafka topics, 2 uninstrumented external APIs) produces ~1M spans of complete
 * traces spread over the last 24 h. They are stored through the real appender and fed to the
 * real RED and service-graph aggregators with a simulated clock, so every minute of the 24 h has
 * rollups. Then:
 *  - getServiceMap latency (15 min, 1 h, 24 h windows ending at the data's "now") on a read
 *    connection, p50/p95 over 20 runs after 5 warm-ups, also as ratios to a trivial query timed
 *    on the same connection in the same run;
 *  - the same after appending ~9M filler spans (rollups unchanged: the map reads
 *    rollups only, so its latency must not follow the raw span count);
 *  - pairing throughput: service-graph observe() time per span vs. append-to-SQLite time per span;
 *  - pairing-store memory at its bound (200,000 unmatched CLIENT halves).
 * `benchServiceMap()` returns a JSON-able object; progress goes to stderr. Run this file to print.
 */
import { mkdtempSync, rmSync, statSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import {
  openWriterDb,
  openReaderDb,
  createSqliteReader,
  createSqliteStore,
  createAppender,
  telemetryDbPath,
  countStoredSpans,
  type Db,
} from "../../server/store/sqlite";
import { spanChunks } from "./span-corpus";
import { createRedAggregator } from "../../server/aggregate/red";
import { createServiceGraphAggregator } from "../../server/aggregate/servicegraph";
import { getServiceMap } from "../../server/query";
import type { Attributes, ResourceInfo, Span, SpanKindValue } from "../../server/normalize";
import { memoryMiB } from "./proc-stats";

const log = (msg: string) => console.error(`bench serviceMap: ${msg}`);
const DAY_MS = 24 * 60 * 60 * 1000;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const label = (n: number) => `${round(n / 1e6, 2)}M`;

// ---------------------------------------------------------------------------------------------
// Synthetic fleet

const SERVICES = 50;
const LAYERS = 5;
const PER_LAYER = SERVICES / LAYERS;
const DB_SYSTEMS = ["postgresql", "mysql", "redis", "mongodb"] as const;
const DB_PORTS: Record<string, number> = { postgresql: 5432, mysql: 3306, redis: 6379, mongodb: 27017 };

interface Fleet {
  names: string[];
  resources: ResourceInfo[];
  callees: number[][];
  /** owner service → database index */
  dbOf: Map<number, number>;
  producers: Map<number, { topic: string; consumer: number }>;
  externals: Map<number, string>;
  edges: number;
}

function makeRng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

function makeFleet(): Fleet {
  const rand = makeRng(7);
  const names = Array.from({ length: SERVICES }, (_, i) => `svc-${String(i).padStart(2, "0")}`);
  const resources = names.map<ResourceInfo>((n, i) => ({
    service: n,
    namespace: "shop",
    environment: "bench",
    attributes: {
      "service.name": n,
      "service.namespace": "shop",
      "deployment.environment.name": "bench",
      "host.name": `node-${i % 7}`,
      "telemetry.sdk.language": "nodejs",
    },
  }));
  // Layers 0..3 call deeper layers: 30 services × 4 callees + 10 × 3 = 150 edges.
  const callees: number[][] = names.map(() => []);
  let edges = 0;
  for (let s = 0; s < (LAYERS - 1) * PER_LAYER; s++) {
    const layer = Math.floor(s / PER_LAYER);
    const want = s < 30 ? 4 : 3;
    const set = new Set<number>();
    while (set.size < want) {
      const deeper = layer + 1 + (layer + 2 < LAYERS && rand() < 0.3 ? 1 : 0);
      set.add(deeper * PER_LAYER + Math.floor(rand() * PER_LAYER));
    }
    callees[s] = [...set];
    edges += set.size;
  }
  // 30 databases, owned by the services of layers 2..4.
  const dbOf = new Map<number, number>();
  for (let i = 0; i < 30; i++) dbOf.set(20 + i, i);
  const producers = new Map([
    [10, { topic: "orders", consumer: 45 }],
    [15, { topic: "events", consumer: 46 }],
    [25, { topic: "audit", consumer: 47 }],
  ]);
  const externals = new Map([
    [12, "payments.example.com"],
    [22, "geo.example.com"],
  ]);
  return { names, resources, callees, dbOf, producers, externals, edges };
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, "0");

/**
 * Generates complete traces in time order, `chunk` (~10k spans, whole traces) at a time, until
 * `target` spans. Trace start times advance linearly with the span count over [startMs, endMs).
 */
function* traceChunks(
  fleet: Fleet,
  target: number,
  startMs: number,
  endMs: number,
  chunk: number,
  seed = 11,
): Generator<Span[]> {
  const rand = makeRng(seed);
  let spanSeq = 0;
  let traceSeq = 0;
  let produced = 0;
  const newSpanId = () => hex(++spanSeq, 16);
  const span = (
    traceId: string,
    parent: Span | null,
    svc: number,
    kind: SpanKindValue,
    name: string,
    startMs: number,
    durMs: number,
    attrs: Attributes,
    error: boolean,
  ): Span => ({
    traceId,
    spanId: newSpanId(),
    parentSpanId: parent ? parent.spanId : null,
    name,
    kind,
    startNs: BigInt(Math.round(startMs * 1000)) * 1000n,
    endNs: BigInt(Math.round((startMs + durMs) * 1000)) * 1000n,
    statusCode: error ? 2 : 0,
    statusMessage: "",
    attributes: attrs,
    events: [],
    links: [],
    scope: { name: "@opentelemetry/instrumentation-http", version: "0.52.1" },
    resource: fleet.resources[svc]!,
  });
  let out: Span[] = [];
  while (produced < target) {
    const traceId = hex(Math.floor(rand() * 0xffffffff), 8) + hex(++traceSeq, 24);
    const t0 = startMs + (produced / target) * (endMs - startMs);
    const spans: Span[] = [];
    // Visits a service answering a call: its SERVER span, then its own outgoing calls.
    const visit = (svc: number, parent: Span | null, at: number, depth: number): Span => {
      const route = `/api/v1/op${svc % 4}`;
      const error = rand() < 0.01;
      const server = span(
        traceId,
        parent,
        svc,
        2,
        `GET ${route}`,
        at,
        0,
        {
          "http.request.method": "GET",
          "http.route": route,
          "http.response.status_code": error ? 500 : 200,
          "url.scheme": "http",
          ...(parent === null ? { "user_agent.original": "Mozilla/5.0 Chrome/126.0" } : {}),
        },
        error,
      );
      spans.push(server);
      let cursor = at + 0.2 + rand();
      for (const callee of fleet.callees[svc]!) {
        if (depth >= 4 || rand() >= 0.35) continue;
        const host = fleet.names[callee]!;
        const client = span(
          traceId,
          server,
          svc,
          3,
          "GET",
          cursor,
          0,
          {
            "http.request.method": "GET",
            "server.address": host,
            "server.port": 8080,
            "url.full": `http://${host}:8080/api/v1/op${callee % 4}`,
          },
          false,
        );
        spans.push(client);
        const child = visit(callee, client, cursor + 0.3, depth + 1);
        const childDur = Number(child.endNs - child.startNs) / 1e6;
        client.endNs = child.endNs + 300_000n;
        client.statusCode = child.statusCode;
        if (child.statusCode === 2) client.attributes["http.response.status_code"] = 500;
        cursor += childDur + 0.6;
      }
      const dbIdx = fleet.dbOf.get(svc);
      if (dbIdx !== undefined && rand() < 0.6) {
        const system = DB_SYSTEMS[dbIdx % DB_SYSTEMS.length]!;
        const d = 0.5 + rand() * 4;
        spans.push(
          span(
            traceId,
            server,
            svc,
            3,
            `SELECT table${dbIdx % 5}`,
            cursor,
            d,
            {
              "db.system.name": system,
              "db.namespace": `db${dbIdx}`,
              "db.collection.name": `table${dbIdx % 5}`,
              "db.operation.name": "SELECT",
              "server.address": `db-${dbIdx}.data.internal`,
              "server.port": DB_PORTS[system]!,
            },
            false,
          ),
        );
        cursor += d + 0.1;
      }
      const prod = fleet.producers.get(svc);
      if (prod && rand() < 0.3) {
        const p = span(
          traceId,
          server,
          svc,
          4,
          `${prod.topic} publish`,
          cursor,
          1,
          {
            "messaging.system": "kafka",
            "messaging.destination.name": prod.topic,
            "messaging.operation.type": "publish",
          },
          false,
        );
        spans.push(p);
        spans.push(
          span(
            traceId,
            p,
            prod.consumer,
            5,
            `${prod.topic} process`,
            cursor + 5,
            2 + rand() * 5,
            {
              "messaging.system": "kafka",
              "messaging.destination.name": prod.topic,
              "messaging.operation.type": "process",
              "messaging.consumer.group.name": `g-${prod.consumer}`,
            },
            false,
          ),
        );
        cursor += 1.1;
      }
      const ext = fleet.externals.get(svc);
      if (ext && rand() < 0.3) {
        const d = 20 + rand() * 80;
        spans.push(
          span(
            traceId,
            server,
            svc,
            3,
            "POST",
            cursor,
            d,
            {
              "http.request.method": "POST",
              "server.address": ext,
              "server.port": 443,
              "url.full": `https://${ext}/v2/charge`,
              "http.response.status_code": 200,
            },
            false,
          ),
        );
        cursor += d;
      }
      cursor += rand() * 3;
      server.endNs = BigInt(Math.round(cursor * 1000)) * 1000n;
      return server;
    };
    visit(Math.floor(rand() * PER_LAYER), null, t0, 0);
    const room = target - produced;
    if (spans.length > room) spans.length = room; // the very last trace may be cut short
    produced += spans.length;
    for (const s of spans) out.push(s);
    if (out.length >= chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
  return { p50: at(0.5), p95: at(0.95) };
}

async function timeRuns(fn: () => unknown, warm = 5, runs = 20) {
  // The first call is cold (no complete hour cached yet): reported on its own.
  const c0 = performance.now();
  await fn();
  const coldMs = performance.now() - c0;
  for (let i = 1; i < warm; i++) await fn();
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const p = percentiles(ms);
  // CPU time of this process: less disturbed than wall time by other processes on the machine.
  return {
    coldMs: round(coldMs, 2),
    p50Ms: round(p.p50, 4),
    p95Ms: round(p.p95, 4),
    cpuP50Ms: round(percentiles(cpu).p50, 3),
  };
}

const WINDOWS = [
  { name: "15m", ms: 15 * 60_000 },
  { name: "1h", ms: 60 * 60_000 },
  { name: "24h", ms: DAY_MS },
] as const;

async function measureMaps(dataDir: string, endMs: number, storedSpans: number) {
  const db = openReaderDb(dataDir);
  const reader = createSqliteReader(db);
  try {
    // Awaited like the map query, so the ratio compares the work, not the promise.
    const baseline = await timeRuns(async () => db.prepare("SELECT count(*) FROM services").pluck().get());
    const windows: Record<string, unknown> = {};
    for (const w of WINDOWS) {
      let shape = { nodes: 0, edges: 0 };
      const t = await timeRuns(async () => {
        const m = await getServiceMap(reader, { fromMs: endMs - w.ms, toMs: endMs });
        shape = { nodes: m.nodes.length, edges: m.edges.length };
      });
      windows[w.name] = {
        ...t,
        ...shape,
        p50VsBaseline: round(t.p50Ms / Math.max(baseline.p50Ms, 1e-4), 1),
        p95VsBaseline: round(t.p95Ms / Math.max(baseline.p95Ms, 1e-4), 1),
      };
      log(
        `${label(storedSpans)} spans, ${w.name}: p50 ${t.p50Ms} ms, p95 ${t.p95Ms} ms (${shape.nodes} nodes, ${shape.edges} edges)`,
      );
    }
    return {
      storedSpans,
      baselineCountServices: baseline,
      windows: windows as Record<string, { p50Ms: number; p95Ms: number; cpuP50Ms: number }>,
    };
  } finally {
    reader.close();
  }
}

/** A gc() for memory measurements: v8's expose-gc flag turned on at run time, if it works here. */
function findGc(): (() => void) | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return g;
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn = vm.runInNewContext("gc") as unknown;
    return typeof fn === "function" ? (fn as () => void) : null;
  } catch {
    return null;
  }
}

/** One fill of a fresh aggregator to `maxItems` unmatched CLIENT halves; the aggregator dies on return. */
function fillPairingStore(
  run: number,
  maxItems: number,
  settle: () => void,
): { before: number; bytes: number; pending: number } {
  const rand = makeRng(99 + run);
  const resource: ResourceInfo = {
    service: "svc-00",
    namespace: null,
    environment: null,
    attributes: { "service.name": "svc-00" },
  };
  settle();
  const before = process.memoryUsage().heapUsed;
  const agg = createServiceGraphAggregator({ waitMs: 10_000, maxItems });
  for (let done = 0; done < maxItems;) {
    const batch: Span[] = [];
    for (let i = 0; i < 10_000 && done < maxItems; i++, done++) {
      const host = `svc-${String(1 + (done % 49)).padStart(2, "0")}`;
      batch.push({
        traceId: hex(Math.floor(rand() * 0xffffffff), 8) + hex(run * maxItems + done + 1, 24),
        spanId: hex(done + 1, 16),
        parentSpanId: hex(done + 7, 16),
        name: "GET",
        kind: 3,
        startNs: 1_700_000_000_000_000_000n + BigInt(done) * 1000n,
        endNs: 1_700_000_000_020_000_000n + BigInt(done) * 1000n,
        statusCode: 0,
        statusMessage: "",
        events: [],
        links: [],
        scope: { name: "bench", version: "1" },
        resource,
        attributes: {
          "http.request.method": "GET",
          "server.address": host,
          "server.port": 8080,
          "url.full": `http://${host}:8080/api/v1/op1`,
        },
      });
    }
    agg.observe(batch, 1_000); // one clock value: nothing expires, no flush
  }
  settle();
  const after = process.memoryUsage().heapUsed;
  // Read after measuring: the aggregator must stay live through the measurement (an optimizing
  // compiler may otherwise treat it as dead and let the gc above collect it).
  const pending = (agg.snapshot().pairing as { pending: number }).pending;
  if (process.env.BENCH_DEBUG) console.error(`pairing fill ${run}: before ${before} after ${after}`);
  return { before, bytes: after - before, pending };
}

/**
 * Heap held by a pairing store filled to its bound with unmatched CLIENT halves (the spans
 * themselves are garbage afterwards, as in the writer; the halves keep their id strings).
 */
export function measurePairingMemory(maxItems: number, runs = 4) {
  const gc = findGc();
  const settle = () => {
    if (gc) {
      (gc as (o?: object) => void)({ type: "major", execution: "sync", flavor: "last-resort" });
      gc();
    }
  };
  const all: Array<{ before: number; bytes: number; pending: number }> = [];
  for (let r = 0; r < runs; r++) all.push(fillPairingStore(r, maxItems, settle));
  // A run whose starting heap still held the previous store (V8 had not released it yet)
  // measures nothing: only runs that started from the lowest baseline count.
  const floor = Math.min(...all.map((m) => m.before));
  const valid = all.filter((m) => m.before - floor < 16 * 1048576);
  const sorted = valid.map((m) => m.bytes).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const pending = all[all.length - 1]!.pending;
  return {
    unmatchedClientHalves: maxItems,
    pendingAfterFill: pending,
    gcForced: gc !== null,
    heapDeltaMiBPerRun: all.map((m) => round(m.bytes / 1048576, 1)),
    runsStartingFromCleanHeap: valid.length,
    heapMiBAtBound: round(median / 1048576, 1),
    bytesPerPendingItem: Math.round(median / Math.max(1, pending)),
  };
}

// ---------------------------------------------------------------------------------------------

export async function benchServiceMap(
  opts: { spans?: number; totalSpans?: number; fillBudgetSeconds?: number; totalBudgetSeconds?: number } = {},
): Promise<object> {
  const TARGET = opts.spans ?? 1_000_000;
  const TOTAL = opts.totalSpans ?? 10_000_000;
  const FILL_BUDGET_S = opts.fillBudgetSeconds ?? 180;
  const TOTAL_BUDGET_S = opts.totalBudgetSeconds ?? 350;
  const CHUNK = 10_000;
  const WAIT_MS = 10_000;
  const MAX_ITEMS = 200_000;
  const tStart = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cartograph-bench-map-"));
  const fleet = makeFleet();
  const endMs = Math.floor(Date.now() / 60_000) * 60_000; // the data's "now", on a minute boundary
  const startMs = endMs - DAY_MS;
  let db: Db | null = null;
  try {
    db = openWriterDb(dir);
    const appender = createAppender(db);
    const red = createRedAggregator();
    const sg = createServiceGraphAggregator({ waitMs: WAIT_MS, maxItems: MAX_ITEMS });
    const appendTx = db.transaction((spans: Span[], out: Span[]) => appender.appendSpans(spans, out));
    const store = createSqliteStore(db);
    const flushTx = async (nowMs: number) => {
      await red.flush(store, nowMs);
      await sg.flush(store, nowMs);
    };

    // 1. 1M spans of complete traces: store, observe, flush with a simulated clock.
    log(
      `phase 1: ${label(TARGET)} spans over 24 h, ${SERVICES} services, ${fleet.edges} service edges, chunks of ~${CHUNK}`,
    );
    let stored = 0,
      chunks = 0,
      traces = 0,
      maxPending = 0;
    let appendMs = 0,
      observeSgMs = 0,
      observeRedMs = 0,
      flushMs = 0,
      genMs = 0;
    const inserted: Span[] = [];
    let tGen = performance.now();
    for (const spans of traceChunks(fleet, TARGET, startMs, endMs, CHUNK)) {
      genMs += performance.now() - tGen;
      for (const s of spans) if (s.parentSpanId === null) traces++;
      const nowMs = Number(spans[spans.length - 1]!.startNs / 1_000_000n) + 15_000;
      inserted.length = 0;
      let t = performance.now();
      appendTx(spans, inserted);
      appendMs += performance.now() - t;
      stored += inserted.length;
      t = performance.now();
      sg.observe(inserted, nowMs);
      observeSgMs += performance.now() - t;
      maxPending = Math.max(maxPending, (sg.snapshot().pairing as { pending: number }).pending);
      t = performance.now();
      red.observe(inserted, nowMs);
      observeRedMs += performance.now() - t;
      t = performance.now();
      await flushTx(nowMs);
      flushMs += performance.now() - t;
      chunks++;
      if (chunks % 20 === 0)
        log(`  ${stored} spans stored (${chunks} chunks, ${Math.round((performance.now() - tStart) / 1000)} s)`);
      tGen = performance.now();
    }
    // Settle the last halves (DB clients, externals wait for a partner that never comes).
    const t = performance.now();
    await flushTx(endMs + WAIT_MS + 15_000);
    flushMs += performance.now() - t;
    const snap = sg.snapshot().pairing as Record<string, number>;
    const rollups = {
      edgeMinuteRows: db.prepare("SELECT count(*) FROM edge_minute").pluck().get() as number,
      edgeMinutes: db.prepare("SELECT count(DISTINCT minute) FROM edge_minute").pluck().get() as number,
      redMinuteRows: db.prepare("SELECT count(*) FROM red_minute").pluck().get() as number,
      graphNodes: db.prepare("SELECT count(*) FROM graph_nodes").pluck().get() as number,
      graphEdges: db.prepare("SELECT count(*) FROM graph_edges").pluck().get() as number,
    };
    db.pragma("wal_checkpoint(TRUNCATE)");
    const phase1Seconds = round((performance.now() - tStart) / 1000, 1);
    log(`phase 1 done in ${phase1Seconds} s: ${stored} spans, ${traces} traces; rollups ${JSON.stringify(rollups)}`);

    // 2. Map latency at 1M.
    const tMap = performance.now();
    const at1 = await measureMaps(dir, endMs, stored);
    const mapSeconds = (performance.now() - tMap) / 1000;

    // 3. Filler spans up to TOTAL through the real append path (one block per 512 spans, as
    // one request makes), spread over the 24 h, within the time budget.
    const fillWanted = Math.max(0, TOTAL - stored);
    // The fill gets ~3 min, less if the whole run would otherwise pass ~6 min (the 10M
    // measurement takes about as long as the 1M one did, the memory part ~15 s).
    const elapsedS = (performance.now() - tStart) / 1000;
    const fillBudget = Math.max(30, Math.min(FILL_BUDGET_S, TOTAL_BUDGET_S - elapsedS - mapSeconds * 1.2 - 20));
    log(`fill: ${fillWanted} spans wanted, budget ${round(fillBudget, 0)} s`);
    let filled = 0;
    const fillTimes: number[] = [];
    const tFill = performance.now();
    const fillTx = db.transaction((list: Span[][]) => {
      for (const l of list) appender.appendSpans(l, []);
    });
    let pendingChunks: Span[][] = [];
    let statementRows = 0;
    for (const chunk of spanChunks(fillWanted, startMs, endMs, 512, 11)) {
      pendingChunks.push(chunk);
      statementRows += chunk.length;
      if (pendingChunks.length < 64) continue;
      const t0 = performance.now();
      fillTx(pendingChunks);
      fillTimes.push((performance.now() - t0) / 1000);
      filled += statementRows;
      pendingChunks = [];
      statementRows = 0;
      if (fillTimes.length % 30 === 0) log(`fill: ${stored + filled} spans stored`);
      if ((performance.now() - tFill) / 1000 > fillBudget) {
        log(`fill: stopping at ${filled} filler spans (the ${round(fillBudget, 0)} s budget is used)`);
        break;
      }
    }
    if (pendingChunks.length && (performance.now() - tFill) / 1000 <= fillBudget) {
      fillTx(pendingChunks);
      filled += statementRows;
    }
    db.pragma("wal_checkpoint(TRUNCATE)");
    const fillSeconds = round((performance.now() - tFill) / 1000, 1);
    const totalStored = countStoredSpans(db);
    db.pragma("cache_size = -65536");
    const rollupsAfterFill = db.prepare("SELECT count(*) FROM edge_minute").pluck().get() as number;
    const dbFileMiB = round(statSync(telemetryDbPath(dir)).size / 1048576, 0);

    // Map latency at ~10M.
    const at10 = await measureMaps(dir, endMs, totalStored);
    const ratios: Record<string, { p50: number; p95: number; cpuP50: number }> = {};
    for (const w of WINDOWS) {
      const a = at1.windows[w.name]!,
        b = at10.windows[w.name]!;
      ratios[w.name] = {
        p50: round(b.p50Ms / a.p50Ms, 2),
        p95: round(b.p95Ms / a.p95Ms, 2),
        cpuP50: round(b.cpuP50Ms / Math.max(a.cpuP50Ms, 1e-3), 2),
      };
    }

    // 4. Pairing memory at its bound.
    log(`pairing memory: filling a store with ${MAX_ITEMS} unmatched CLIENT halves`);
    const memory = measurePairingMemory(MAX_ITEMS);
    log(
      `pairing memory: ${memory.heapMiBAtBound} MiB at ${memory.pendingAfterFill} pending (${memory.bytesPerPendingItem} B/item, gc ${memory.gcForced ? "forced" : "not available"})`,
    );

    const k1 = `spans${label(stored)}`;
    const k10 = `spans${label(totalStored)}`;
    const result = {
      fleet: {
        services: SERVICES,
        serviceEdges: fleet.edges,
        databases: fleet.dbOf.size,
        messagingTopics: fleet.producers.size,
        externalApis: fleet.externals.size,
        windowEndIso: new Date(endMs).toISOString(),
      },
      generated: {
        spans: stored,
        traces,
        chunks,
        spansPerChunk: CHUNK,
        pairingWaitMs: WAIT_MS,
        pairingMaxItems: MAX_ITEMS,
        phaseSeconds: phase1Seconds,
        generateSeconds: round(genMs / 1000, 1),
        flushSeconds: round(flushMs / 1000, 1),
        rollups,
      },
      mapLatency: {
        runs: 20,
        warmUp: 5,
        baselineQuery: "SELECT count(*) FROM services (prepared per run, like getServiceMap's statements)",
        [k1]: at1,
        [k10]: at10,
      },
      [`latencyRatio_${label(totalStored)}_over_${label(stored)}`]: ratios,
      filler: {
        requestedRows: fillWanted,
        budgetSeconds: round(fillBudget, 0),
        insertedRows: filled,
        statements: fillTimes.length,
        seconds: fillSeconds,
        rowsPerSecond: Math.round(filled / Math.max(fillSeconds, 1e-3)),
        totalStoredSpans: totalStored,
        edgeMinuteRowsUnchanged: rollupsAfterFill === rollups.edgeMinuteRows,
        dbFileMiB,
      },
      pairing: {
        spans: stored,
        observeMicrosPerSpan: round((observeSgMs * 1000) / stored, 3),
        appendMicrosPerSpan: round((appendMs * 1000) / stored, 3),
        pairingVsStoreCost: round(observeSgMs / appendMs, 3),
        redObserveMicrosPerSpan: round((observeRedMs * 1000) / stored, 3),
        pendingMaxAfterObserve: maxPending,
        pendingAtEnd: snap.pending,
        counts: {
          paired: snap.paired,
          virtual: snap.virtual,
          expired: snap.expired,
          dropped: snap.dropped,
          unpairedClient: snap.unpairedClient,
          unpairedServer: snap.unpairedServer,
          lateLookups: snap.lateLookups,
          lookupsSkipped: snap.lookupsSkipped,
        },
        memoryAtBound: memory,
      },
      peakRssMiB: round(memoryMiB(process.pid).peak, 0),
      totalSeconds: round((performance.now() - tStart) / 1000, 1),
    };
    return result;
  } finally {
    db?.close();
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchServiceMap(), null, 2));
}
