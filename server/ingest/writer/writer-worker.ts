import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, DecodeError } from "../../decode";
import {
  decodeTraceSpans,
  normalizeLogs,
  normalizeMetrics,
  normalizeTraces,
  type AttributeStats,
  type LogRecord,
  type MetricPoint,
  type NormalizeResult,
  type Span,
} from "../../normalize";
import { openTelemetryStore, type AppendBatch, type AppendResult, type StoreFailure } from "../../store";
import { createAggregators, openCardinalityGuard } from "../../aggregate";
import { retentionPolicyFrom } from "../../jobs";
import { readIngestLimits, type Config } from "../../platform/config";
import { emptyHistogram, observeHistogram } from "../../platform/snapshot-metrics";
import { flushSelfTracing, getSpanClockMs, startSelfTracing } from "../../platform/self-tracing";
import { announceWrittenRollups } from "../../platform/late-rollups";
import type { ExportMessage, ExportResult, FromWriter, ToWriter, WriterStats } from "./protocol";
import { createRollupFlusher } from "./rollup-flusher";
import { createRetentionRunner } from "./retention-runner";
import { normalizeZipkinBody } from "./zipkin-body";
import {
  recordAggregateSpan,
  recordDecodeFailure,
  recordRequestSpans,
  type FlushMarks,
  type RequestTrace,
} from "./request-trace";

/**
 * The writer thread: decode → normalize → one store append per flush → acknowledge →
 * aggregate. A request is acknowledged only after the append holding its rows is durable
 * (the embedded store: committed in WAL, see store/sqlite/open.ts for what survives a kill).
 * Requests that arrive while a flush runs are grouped into the next append; flushes (and
 * rollup flushes) never overlap.
 */
const config = workerData.config as Config;
const port = parentPort!;
const post = (m: FromWriter) => port.postMessage(m);
await startSelfTracing(config, "writer", workerData.selfTracing);

const store = await openTelemetryStore(config, "writer");
const aggregators = createAggregators(config);
const cardinality = await openCardinalityGuard(config, store.rollups, (e) =>
  console.error(`cardinality guard seeding failed: ${(e as Error)?.stack ?? String(e)}`),
);
const limits = readIngestLimits(config);
const attrStats: AttributeStats = { truncatedValues: 0, droppedAttributes: 0 };
const stats: WriterStats = {
  spansStored: 0,
  spansDuplicate: 0,
  spansRejected: 0,
  pointsStored: 0,
  pointsRejected: 0,
  logsStored: 0,
  logsDuplicate: 0,
  logsRejected: 0,
  attributesTruncated: 0,
  attributesDropped: 0,
  transactions: 0,
  writeSeconds: emptyHistogram(),
  storeBytes: 0,
  retentionDeleted: 0,
  aggregatorErrors: 0,
  aggregators: {},
  cardinality: null,
  spansUnstorable: 0,
  pointsUnstorable: 0,
  storeFailures: {},
};

interface Pending {
  id: number;
  spans: Span[];
  points: MetricPoint[];
  logs: LogRecord[];
  rejected: number;
  message: string;
  trace?: RequestTrace;
  /** Items of this request the store refused (written alone after a batch failed). */
  rejectedHere: number;
  unstorableSpans: number;
}
let pending: Pending[] = [];
let flushScheduled = false;
/** The flush in progress (appends never overlap; a flush asked for meanwhile runs after it). */
let flushing: Promise<void> | null = null;

async function handleExport(m: ExportMessage): Promise<void> {
  let decoded;
  // Spans straight from protobuf bytes (the common case), or Zipkin's normalized spans.
  let direct: NormalizeResult<Span> | null = null;
  // A Buffer view (no copy) lets protobufjs read strings with the native UTF-8 decoder.
  const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  const decodeStart = m.traceparent ? getSpanClockMs() : 0;
  try {
    if (m.format === "zipkin")
      direct = await normalizeZipkinBody(body, m.encoding, {
        limits,
        stats: attrStats,
        readTraces: store.spans.readTraces,
      });
    else if (m.signal === "traces" && m.encoding === "protobuf") direct = decodeTraceSpans(body, limits, attrStats);
    else
      decoded =
        m.signal === "traces"
          ? decodeTraceRequest(body, m.encoding)
          : m.signal === "logs"
            ? decodeLogsRequest(body, m.encoding)
            : decodeMetricsRequest(body, m.encoding);
  } catch (e) {
    if (m.traceparent) recordDecodeFailure(m.traceparent, body.length, decodeStart, (e as Error).message);
    if (e instanceof DecodeError) return reply(m.id, { ok: false, status: 400, message: e.message });
    return reply(m.id, { ok: false, status: 400, message: `undecodable request: ${(e as Error).message}` });
  }
  const decodeEnd = m.traceparent ? getSpanClockMs() : 0;
  const norm = direct
    ? direct
    : m.signal === "traces"
      ? normalizeTraces(decoded, limits, attrStats)
      : m.signal === "logs"
        ? normalizeLogs(decoded, limits, attrStats, BigInt(Date.now()) * 1_000_000n)
        : normalizeMetrics(decoded, limits, attrStats);
  const trace: RequestTrace | undefined = m.traceparent
    ? {
        parent: m.traceparent,
        bytes: body.length,
        decodeStart,
        decodeEnd,
        normalizeEnd: getSpanClockMs(),
        items: norm.items.length,
        rejected: norm.rejected,
      }
    : undefined;
  const total = norm.items.length + norm.rejected;
  if (norm.rejected > 0 && norm.items.length === 0 && total > 0) {
    countRejected(m.signal, norm.rejected);
    return reply(m.id, { ok: false, status: 400, message: `all ${total} items rejected: ${norm.reasons.join("; ")}` });
  }
  pending.push({
    id: m.id,
    spans: m.signal === "traces" ? (norm.items as Span[]) : [],
    points: m.signal === "metrics" ? (norm.items as MetricPoint[]) : [],
    logs: m.signal === "logs" ? (norm.items as LogRecord[]) : [],
    rejected: norm.rejected,
    message: norm.rejected > 0 ? `rejected ${norm.rejected} of ${total}: ${norm.reasons.join("; ")}` : "",
    trace,
    rejectedHere: 0,
    unstorableSpans: 0,
  });
  countRejected(m.signal, norm.rejected);
  scheduleFlush();
}

function countRejected(signal: string, n: number): void {
  if (signal === "traces") stats.spansRejected += n;
  else if (signal === "logs") stats.logsRejected += n;
  else stats.pointsRejected += n;
}

function reply(id: number, result: ExportResult): void {
  post({ type: "result", id, result });
}

function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  const delay = config.CARTOGRAPH_FLUSH_INTERVAL_MS;
  if (delay > 0) setTimeout(startFlush, delay);
  else setImmediate(startFlush);
}

/** Runs a flush unless one is in progress; then the pending requests wait for the next one. */
function startFlush(): void {
  const busy = flushing ?? rollups.inProgress();
  if (busy) {
    void busy.then(startFlush, startFlush);
    return;
  }
  flushing = flush().finally(() => {
    flushing = null;
  });
}

function toAppendBatch(p: Pending): AppendBatch {
  return { spans: p.spans, points: p.points, logs: p.logs };
}

async function writeBatch(batch: Pending[], nowMs: number): Promise<AppendResult> {
  const r = await store.ingest.append(batch.map(toAppendBatch), nowMs);
  const logs = batch.reduce((n, p) => n + p.logs.length, 0);
  stats.pointsStored += r.pointsStored;
  stats.logsStored += r.logsStored;
  stats.logsDuplicate += logs - r.logsStored;
  stats.transactions++;
  return r;
}

async function flush(): Promise<void> {
  flushScheduled = false;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  const inserted: Span[] = [];
  const started = process.hrtime.bigint();
  const commitStart = getSpanClockMs();
  const failed = new Set<Pending>();
  try {
    inserted.push(...(await writeBatch(batch, Date.now())).inserted);
  } catch (e) {
    const failure = store.ingest.classifyFailure(e);
    if (failure.kind === "storage") {
      // Nothing in this batch was acknowledged: a retryable 503 loses nothing.
      noteStorageFailure(failure, e);
      for (const p of batch) reply(p.id, { ok: false, status: 503, message: failure.message });
      recordBatchSpans(batch, {
        commitStart,
        commitEnd: getSpanClockMs(),
        requests: batch.length,
        items: 0,
        inserted: 0,
        error: (e as Error).message,
      });
      return;
    }
    // Something in the batch the store cannot take (a poison item): requests are written
    // alone, so one client's bad span never fails another's request.
    for (const p of batch) if (!(await writeAlone(p, inserted))) failed.add(p);
  }
  const commitEnd = getSpanClockMs();
  observeHistogram(stats.writeSeconds, Number(process.hrtime.bigint() - started) / 1e9);
  let submitted = 0;
  let items = 0;
  for (const p of batch) {
    if (failed.has(p)) continue;
    submitted += p.spans.length;
    items += p.spans.length + p.points.length + p.logs.length;
    const message = p.rejected > 0 ? p.message || `rejected ${p.rejected} items the store cannot take` : "";
    reply(p.id, {
      ok: true,
      accepted: p.spans.length + p.points.length + p.logs.length - p.rejectedHere,
      rejected: p.rejected,
      message,
    });
  }
  stats.spansStored += inserted.length;
  stats.spansDuplicate += Math.max(0, submitted - inserted.length - failedSpans(batch));
  recordBatchSpans(batch, { commitStart, commitEnd, requests: batch.length, items, inserted: inserted.length });
  if (inserted.length === 0) return;
  const aggregateStart = getSpanClockMs();
  observeStored(inserted, Date.now());
  const aggregateEnd = getSpanClockMs();
  for (const p of batch)
    if (p.trace) recordAggregateSpan(p.trace, aggregateStart, aggregateEnd, inserted.length, aggregators.length);
}

/** Hands stored spans (each once) to every aggregator, names folded past the cardinality limits. */
function observeStored(spans: Span[], now: number): void {
  const bounded = cardinality.fold(spans);
  for (const a of aggregators) {
    try {
      a.observe(bounded, now);
    } catch (e) {
      stats.aggregatorErrors++;
      console.error(`aggregator ${a.name} failed in observe: ${(e as Error).stack}`);
    }
  }
}

function recordBatchSpans(batch: Pending[], marks: FlushMarks): void {
  for (const p of batch) if (p.trace) recordRequestSpans(p.trace, marks);
}

function failedSpans(batch: Pending[]): number {
  return batch.reduce((n, p) => n + p.unstorableSpans, 0);
}

/**
 * Writes one request in its own append; if that fails on its data, item by item, each item
 * the store refuses counted as rejected (reason `unstorable`) and named in the partial
 * success. False (and a 503 sent) when the storage itself failed.
 */
async function writeAlone(p: Pending, inserted: Span[]): Promise<boolean> {
  try {
    inserted.push(...(await writeBatch([p], Date.now())).inserted);
    return true;
  } catch (e) {
    if (store.ingest.classifyFailure(e).kind === "storage") return failAlone(p, e);
  }
  const refuse = (why: unknown, signal: "traces" | "metrics" | "logs") => {
    p.rejected++;
    p.rejectedHere++;
    if (signal === "traces") {
      p.unstorableSpans++;
      stats.spansUnstorable++;
    } else if (signal === "metrics") stats.pointsUnstorable++;
    countRejected(signal, 1);
    const reason = `the store cannot take an item: ${(why as Error).message}`;
    p.message = p.message ? p.message : reason;
  };
  const items: [AppendBatch, "traces" | "metrics" | "logs"][] = [
    ...p.spans.map((s): [AppendBatch, "traces"] => [{ spans: [s], points: [], logs: [] }, "traces"]),
    ...p.points.map((point): [AppendBatch, "metrics"] => [{ spans: [], points: [point], logs: [] }, "metrics"]),
    ...p.logs.map((log): [AppendBatch, "logs"] => [{ spans: [], points: [], logs: [log] }, "logs"]),
  ];
  for (const [item, signal] of items) {
    try {
      const r = await store.ingest.append([item], Date.now());
      inserted.push(...r.inserted);
      stats.pointsStored += r.pointsStored;
      stats.logsStored += r.logsStored;
    } catch (e) {
      if (store.ingest.classifyFailure(e).kind === "storage") return failAlone(p, e);
      refuse(e, signal);
    }
  }
  return true;
}

function failAlone(p: Pending, e: unknown): false {
  const failure = store.ingest.classifyFailure(e);
  noteStorageFailure(failure, e);
  reply(p.id, { ok: false, status: 503, message: failure.message });
  return false;
}

let lastFailureLog = 0;
/** One clear log line per condition and 10 s (a full disk would otherwise log per request). */
function noteStorageFailure(failure: StoreFailure, e: unknown): void {
  const code = failure.code || "unknown";
  stats.storeFailures[code] = (stats.storeFailures[code] ?? 0) + 1;
  const now = Date.now();
  if (now - lastFailureLog < 10_000) return;
  lastFailureLog = now;
  const hint = failure.operatorHint ?? "ingest answers 503 until the store recovers";
  console.error(
    JSON.stringify({
      level: "error",
      msg: `telemetry store write failed (${code}): ${hint}`,
      error: (e as Error).message,
      dataDir: config.CARTOGRAPH_DATA_DIR,
    }),
  );
}

const rollups = createRollupFlusher({
  store,
  aggregators,
  observe: observeStored,
  appendInProgress: () => flushing,
  onError: noteRollupFailure,
  afterFlush: publishStats,
  afterCommit: (earliestMinute) => announceWrittenRollups(earliestMinute),
});

function noteRollupFailure(e: unknown, aggregator?: string): void {
  stats.aggregatorErrors++;
  // A failing store is logged once per condition and 10 s, not per aggregator and flush.
  const failure = store.ingest.classifyFailure(e);
  if (failure.kind === "storage") noteStorageFailure(failure, e);
  else console.error(`${aggregator ? `aggregator ${aggregator}` : "rollup"} flush failed: ${(e as Error).stack}`);
}

/** Sends the writer's counters to the main thread (after every rollup flush). */
async function publishStats(): Promise<void> {
  for (const a of aggregators) stats.aggregators[a.name] = a.snapshot();
  stats.cardinality = cardinality.stats();
  stats.attributesTruncated = attrStats.truncatedValues;
  stats.attributesDropped = attrStats.droppedAttributes;
  try {
    stats.storeBytes = await store.retention.measureUsedBytes();
  } catch {
    // measuring is best effort (the store may be failing); the stats still go out
  }
  post({ type: "stats", stats: { ...stats } });
}

const retention = createRetentionRunner({
  store,
  policy: retentionPolicyFrom(config),
  onDeleted: (n) => void (stats.retentionDeleted += n),
  onError(e) {
    const failure = store.ingest.classifyFailure(e);
    if (failure.kind === "storage") noteStorageFailure(failure, e);
    console.error(`retention failed: ${(e as Error).message}`);
  },
});

await rollups.resume().catch(noteRollupFailure);
const replayed = await rollups.replay().catch((e) => (noteRollupFailure(e), 0));
if (replayed > 0)
  console.error(
    JSON.stringify({ level: "info", msg: `aggregated again ${replayed} spans stored after the last rollup flush` }),
  );
const rollupTimer = setInterval(() => void rollups.flush(), config.CARTOGRAPH_ROLLUP_FLUSH_MS);
const retentionTimer = setInterval(retention.start, config.CARTOGRAPH_RETENTION_INTERVAL_MS);
retention.start();

port.on("message", (m: ToWriter) => {
  if (m.type === "export") void handleExport(m);
  else if (m.type === "shutdown") void shutdown();
});

async function shutdown(): Promise<void> {
  clearInterval(rollupTimer);
  clearInterval(retentionTimer);
  await retention.inProgress();
  // An append never runs beside a rollup flush (it would join the flush's transaction).
  await rollups.inProgress();
  await flushing;
  await flush();
  await rollups.flush(true);
  await store.close();
  await flushSelfTracing().finally(() => post({ type: "closed" }));
}
post({ type: "ready" });
