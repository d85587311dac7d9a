/**
 * The writer thread's stages on one thread, CPU per span: the bench's 512-span batches (new
 * trace ids per request) through protobufjs decode alone (the floor receiver's work), the
 * writer's decode, normalize, the store append (real SQLite in a temp dir, 8 requests per
 * append like a busy group commit), the aggregators (RED, service graph) and their rollup
 * flushes. `process.cpuUsage` of this process only, so other work on the machine sways the
 * figures less than whole-server runs; the ratios to the floor decode come from the same run.
 * Run: `node --import ./scripts/runtime/register.mjs scripts/bench/ingest-stages.ts [requests]`
 * (add `--cpu-prof` before `--import` for a profile of the same work).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { decodeTraceRequest, TraceRequest } from "../../server/decode";
import { decodeTraceSpans, normalizeTraces, type AttributeStats, type Span } from "../../server/normalize";
import { openTelemetryStore } from "../../server/store";
import { createAggregators } from "../../server/aggregate";
import { loadConfig, readIngestLimits } from "../../server/platform/config";
import { makeBatches, randomRun, uniqueCopy } from "./make-batches";

const requests = Number(process.argv[2] ?? 400);
const PER_APPEND = 8;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ingest-stages-"));
const config = loadConfig({ ...process.env, CARTOGRAPH_DATA_DIR: dir, CARTOGRAPH_LOG_LEVEL: "warn" });
const limits = readIngestLimits(config);
const stats: AttributeStats = { truncatedValues: 0, droppedAttributes: 0 };
const batches = makeBatches(64);
const run = randomRun();
const bodies = Array.from({ length: requests }, (_, i) => uniqueCopy(batches[i % batches.length]!, run, i));
const spans = requests * 512;

const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
// decode: the writer's (protobuf bytes straight to spans); referenceDecodeNormalize: the generic
// decoder then normalize, which it replaced (measured for comparison, not part of the writer).
const totals: Record<string, number> = {
  floorDecode: 0,
  referenceDecodeNormalize: 0,
  decode: 0,
  append: 0,
  aggregate: 0,
  flush: 0,
};
const time = async <T>(stage: string, f: () => T | Promise<T>): Promise<T> => {
  const c = cpu();
  const r = await f();
  totals[stage]! += cpu() - c;
  return r;
};

const store = await openTelemetryStore(config, "writer");
const aggregators = createAggregators(config);
const flushRollups = async () => {
  for (const a of aggregators) await a.flush(store, Date.now());
};
const memory: { heapMiB: number; rssMiB: number }[] = [];
let group: Span[][] = [];
for (let i = 0; i < bodies.length; i++) {
  await time("floorDecode", () => TraceRequest.decode(bodies[i]!));
  await time("referenceDecodeNormalize", () =>
    normalizeTraces(decodeTraceRequest(bodies[i]!, "protobuf"), limits, { truncatedValues: 0, droppedAttributes: 0 }),
  );
  const norm = await time("decode", () => decodeTraceSpans(bodies[i]!, limits, stats));
  group.push(norm.items);
  if (group.length < PER_APPEND && i < bodies.length - 1) continue;
  const r = await time("append", () =>
    store.ingest.append(
      group.map((s) => ({ spans: s, points: [], logs: [] })),
      Date.now(),
    ),
  );
  group = [];
  await time("aggregate", () => {
    for (const a of aggregators) a.observe(r.inserted, Date.now());
  });
  if (i % 80 === 79) {
    await time("flush", flushRollups);
    const m = process.memoryUsage();
    memory.push({ heapMiB: Math.round(m.heapUsed / 2 ** 20), rssMiB: Math.round(m.rss / 2 ** 20) });
  }
}
await time("flush", flushRollups);
await store.close();
fs.rmSync(dir, { recursive: true, force: true });

const per = (us: number) => Math.round((us / spans) * 100) / 100;
const writer = totals.decode! + totals.append! + totals.aggregate! + totals.flush!;
console.log(
  JSON.stringify({
    spans,
    microsPerSpan: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, per(v)])),
    writerMicrosPerSpan: per(writer),
    writerVsFloorDecode: Math.round((writer / totals.floorDecode!) * 100) / 100,
    memory,
  }),
);
