import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { decodeLogsRequest, decodeMetricsRequest, decodeTraceRequest, decodeZipkinSpans, DecodeError } from "../../decode";
import { normalizeLogs, normalizeMetrics, normalizeTraces, normalizeZipkin, type AttributeStats, type LogRecord, type MetricPoint, type NormalizeResult, type Span } from "../../normalize";
import { createAppender, createLogAppender, createSpanTimesLookup, enforceLogRetention, openWriterDb } from "../../store";
import { createAggregators } from "../../aggregate";
import { enforceRetention, measureUsedBytes } from "../../jobs";
import type { Config } from "../../platform/config";
import { emptyHistogram, observeHistogram } from "../../platform/snapshot-metrics";
import { flushSelfTracing, getSpanClockMs, startSelfTracing, withSpan, type SpanHandle } from "../../platform/self-tracing";
import type { ExportMessage, ExportResult, FromWriter, ToWriter, WriterStats } from "./protocol";
import { recordAggregateSpan, recordDecodeFailure, recordRequestSpans, type FlushMarks, type RequestTrace } from "./request-trace";

/**
 * The writer thread: decode → normalize → one transaction per flush → acknowledge →
 * aggregate. A request is acknowledged only after the transaction holding its rows
 * committed (WAL; see store/sqlite/open.ts for what survives a kill). Requests that arrive
 * while a flush runs are grouped into the next transaction.
 */
const config = workerData.config as Config;
const port = parentPort!;
const post = (m: FromWriter) => port.postMessage(m);
await startSelfTracing(config, "writer", workerData.selfTracing);

const db = openWriterDb(config.CARTOGRAPH_DATA_DIR, config.CARTOGRAPH_SQLITE_SYNCHRONOUS);
const appender = createAppender(db);
const logAppender = createLogAppender(db);
const aggregators = createAggregators(config, db);
const limits = {
  maxValueLength: config.CARTOGRAPH_MAX_ATTRIBUTE_VALUE_LENGTH,
  maxDepth: config.CARTOGRAPH_MAX_ATTRIBUTE_DEPTH,
  maxAttributes: config.CARTOGRAPH_MAX_ATTRIBUTES,
  maxBodyLength: config.CARTOGRAPH_MAX_LOG_BODY_LENGTH,
};
const attrStats: AttributeStats = { truncatedValues: 0, droppedAttributes: 0 };
const findStoredTimes = createSpanTimesLookup(db);
const stats: WriterStats = {
  spansStored: 0, spansDuplicate: 0, spansRejected: 0, pointsStored: 0, pointsRejected: 0, logsStored: 0, logsDuplicate: 0, logsRejected: 0,
  attributesTruncated: 0, attributesDropped: 0, transactions: 0, writeSeconds: emptyHistogram(),
  storeBytes: 0, retentionDeleted: 0, aggregatorErrors: 0, aggregators: {},
};

interface Pending {
  id: number;
  spans: Span[];
  points: MetricPoint[];
  logs: LogRecord[];
  rejected: number;
  message: string;
  trace?: RequestTrace;
}
let pending: Pending[] = [];
let flushScheduled = false;

/** Zipkin v2 body → domain spans; like Zipkin, one malformed span refuses the whole body (400). */
function normalizeZipkinBody(body: Buffer, m: ExportMessage): NormalizeResult<Span> {
  const spans = decodeZipkinSpans(body, m.encoding);
  const norm = normalizeZipkin(spans, { limits, stats: attrStats, nowNs: BigInt(Date.now()) * 1_000_000n, findStoredTimes });
  if (norm.rejected > 0) throw new DecodeError(norm.reasons.join("; "));
  return norm;
}

function handleExport(m: ExportMessage): void {
  let decoded;
  let zipkin: NormalizeResult<Span> | null = null;
  // A Buffer view (no copy) lets protobufjs read strings with the native UTF-8 decoder.
  const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
  const decodeStart = m.traceparent ? getSpanClockMs() : 0;
  try {
    if (m.format === "zipkin") zipkin = normalizeZipkinBody(body, m);
    else decoded = m.signal === "traces" ? decodeTraceRequest(body, m.encoding) : m.signal === "logs" ? decodeLogsRequest(body, m.encoding) : decodeMetricsRequest(body, m.encoding);
  } catch (e) {
    if (m.traceparent) recordDecodeFailure(m.traceparent, body.length, decodeStart, (e as Error).message);
    if (e instanceof DecodeError) return reply(m.id, { ok: false, status: 400, message: e.message });
    return reply(m.id, { ok: false, status: 400, message: `undecodable request: ${(e as Error).message}` });
  }
  const decodeEnd = m.traceparent ? getSpanClockMs() : 0;
  const norm =
    zipkin ? zipkin
    : m.signal === "traces" ? normalizeTraces(decoded, limits, attrStats)
    : m.signal === "logs" ? normalizeLogs(decoded, limits, attrStats, BigInt(Date.now()) * 1_000_000n)
    : normalizeMetrics(decoded, limits, attrStats);
  const trace: RequestTrace | undefined = m.traceparent
    ? { parent: m.traceparent, bytes: body.length, decodeStart, decodeEnd, normalizeEnd: getSpanClockMs(), items: norm.items.length, rejected: norm.rejected }
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
  if (delay > 0) setTimeout(flush, delay);
  else setImmediate(flush);
}

const writeBatch = db.transaction((batch: Pending[], inserted: Span[], nowMs: number) => {
  for (const p of batch) {
    appender.appendSpans(p.spans, inserted);
    stats.pointsStored += appender.appendMetricPoints(p.points, nowMs);
    if (p.logs.length) {
      const stored = logAppender.appendLogs(p.logs);
      stats.logsStored += stored;
      stats.logsDuplicate += p.logs.length - stored;
    }
  }
});

function flush(): void {
  flushScheduled = false;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  const inserted: Span[] = [];
  const started = process.hrtime.bigint();
  const commitStart = getSpanClockMs();
  try {
    writeBatch(batch, inserted, Date.now());
  } catch (e) {
    // Nothing in this batch was acknowledged: a retryable 503 loses nothing.
    for (const p of batch) reply(p.id, { ok: false, status: 503, message: `store unavailable: ${(e as Error).message}` });
    recordBatchSpans(batch, { commitStart, commitEnd: getSpanClockMs(), requests: batch.length, items: 0, inserted: 0, error: (e as Error).message });
    return;
  }
  const commitEnd = getSpanClockMs();
  stats.transactions++;
  observeHistogram(stats.writeSeconds, Number(process.hrtime.bigint() - started) / 1e9);
  let submitted = 0;
  let items = 0;
  for (const p of batch) {
    submitted += p.spans.length;
    items += p.spans.length + p.points.length + p.logs.length;
    reply(p.id, { ok: true, accepted: p.spans.length + p.points.length + p.logs.length, rejected: p.rejected, message: p.message });
  }
  stats.spansStored += inserted.length;
  stats.spansDuplicate += submitted - inserted.length;
  recordBatchSpans(batch, { commitStart, commitEnd, requests: batch.length, items, inserted: inserted.length });
  if (inserted.length === 0) return;
  const now = Date.now();
  const aggregateStart = getSpanClockMs();
  for (const a of aggregators) {
    try {
      a.observe(inserted, now);
    } catch (e) {
      stats.aggregatorErrors++;
      console.error(`aggregator ${a.name} failed in observe: ${(e as Error).stack}`);
    }
  }
  const aggregateEnd = getSpanClockMs();
  for (const p of batch) if (p.trace) recordAggregateSpan(p.trace, aggregateStart, aggregateEnd, inserted.length, aggregators.length);
}

function recordBatchSpans(batch: Pending[], marks: FlushMarks): void {
  for (const p of batch) if (p.trace) recordRequestSpans(p.trace, marks);
}

function flushRollups(): void {
  withSpan("rollup.flush", { "cartograph.aggregators": aggregators.length }, writeRollups);
}

function writeRollups(): void {
  const now = Date.now();
  for (const a of aggregators) {
    try {
      db.transaction(() => a.flush(db, now))();
    } catch (e) {
      stats.aggregatorErrors++;
      console.error(`aggregator ${a.name} failed in flush: ${(e as Error).stack}`);
    }
    stats.aggregators[a.name] = a.snapshot();
  }
  stats.attributesTruncated = attrStats.truncatedValues;
  stats.attributesDropped = attrStats.droppedAttributes;
  stats.storeBytes = measureUsedBytes(db);
  post({ type: "stats", stats: { ...stats } });
}

function runRetention(): void {
  withSpan("retention.run", {}, enforceAllRetention);
}

function enforceAllRetention(span: SpanHandle): void {
  try {
    const policy = { rawMaxAgeMs: config.CARTOGRAPH_RETENTION_RAW_HOURS * 3_600_000, diskBudgetBytes: config.CARTOGRAPH_DISK_BUDGET_BYTES };
    const l = enforceLogRetention(db, policy, Date.now());
    stats.retentionDeleted += l.logsDeleted + l.spansDeleted;
    span.setAttributes({ "cartograph.retention.logs_deleted": l.logsDeleted });
  } catch (e) {
    span.fail((e as Error).message);
    console.error(`log retention failed: ${(e as Error).message}`);
  }
  try {
    const policy = {
      rawMaxAgeMs: config.CARTOGRAPH_RETENTION_RAW_HOURS * 3_600_000,
      rollupMaxAgeMs: config.CARTOGRAPH_RETENTION_ROLLUP_HOURS * 3_600_000,
      diskBudgetBytes: config.CARTOGRAPH_DISK_BUDGET_BYTES,
    };
    const r = enforceRetention(db, policy, Date.now());
    stats.retentionDeleted += r.spansDeleted + r.pointsDeleted + r.rollupsDeleted;
    span.setAttributes({
      "cartograph.retention.spans_deleted": r.spansDeleted,
      "cartograph.retention.points_deleted": r.pointsDeleted,
      "cartograph.retention.rollups_deleted": r.rollupsDeleted,
      "cartograph.store.bytes": r.usedBytes,
    });
  } catch (e) {
    span.fail((e as Error).message);
    console.error(`retention failed: ${(e as Error).message}`);
  }
}

const rollupTimer = setInterval(flushRollups, config.CARTOGRAPH_ROLLUP_FLUSH_MS);
const retentionTimer = setInterval(runRetention, config.CARTOGRAPH_RETENTION_INTERVAL_MS);
runRetention();

port.on("message", (m: ToWriter) => {
  if (m.type === "export") handleExport(m);
  else if (m.type === "shutdown") {
    clearInterval(rollupTimer);
    clearInterval(retentionTimer);
    flush();
    flushRollups();
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    void flushSelfTracing().finally(() => post({ type: "closed" }));
  }
});
post({ type: "ready" });
