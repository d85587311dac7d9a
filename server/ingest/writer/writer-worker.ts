import "server-only";
import { statfsSync } from "node:fs";
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
import { describeForOperator, describeForSender, isStorageFailure, readSqliteCode } from "./storage-failure";
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
  spansUnstorable: 0, pointsUnstorable: 0, storeFailures: {},
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
  if (delay > 0) setTimeout(flush, delay);
  else setImmediate(flush);
}

const writeBatch = db.transaction((batch: Pending[], inserted: Span[], nowMs: number): number => {
  let points = 0;
  for (const p of batch) {
    appender.appendSpans(p.spans, inserted);
    points += appender.appendMetricPoints(p.points, nowMs);
    if (p.logs.length) {
      const stored = logAppender.appendLogs(p.logs);
      stats.logsStored += stored;
      stats.logsDuplicate += p.logs.length - stored;
    }
  }
  return points;
});

function flush(): void {
  flushScheduled = false;
  const batch = pending;
  pending = [];
  if (batch.length === 0) return;
  const inserted: Span[] = [];
  const started = process.hrtime.bigint();
  const commitStart = getSpanClockMs();
  const failed = new Set<Pending>();
  try {
    stats.pointsStored += writeBatch(batch, inserted, Date.now());
    stats.transactions++;
  } catch (e) {
    inserted.length = 0;
    if (isStorageFailure(e)) {
      // Nothing in this batch was acknowledged: a retryable 503 loses nothing.
      noteStorageFailure(e);
      for (const p of batch) reply(p.id, { ok: false, status: 503, message: describeForSender(readSqliteCode(e)) });
      recordBatchSpans(batch, { commitStart, commitEnd: getSpanClockMs(), requests: batch.length, items: 0, inserted: 0, error: (e as Error).message });
      return;
    }
    // Something in the batch the store cannot take (a poison item): requests are written
    // alone, so one client's bad span never fails another's request.
    for (const p of batch) if (!writeAlone(p, inserted)) failed.add(p);
  }
  const commitEnd = getSpanClockMs();
  observeHistogram(stats.writeSeconds, Number(process.hrtime.bigint() - started) / 1e9);
  let submitted = 0;
  let items = 0;
  for (const p of batch) {
    if (failed.has(p)) continue;
    submitted += p.spans.length;
    items += p.spans.length + p.points.length + p.logs.length;
    const message = p.rejected > 0 ? (p.message || `rejected ${p.rejected} items the store cannot take`) : "";
    reply(p.id, { ok: true, accepted: p.spans.length + p.points.length + p.logs.length - p.rejectedHere, rejected: p.rejected, message });
  }
  stats.spansStored += inserted.length;
  stats.spansDuplicate += Math.max(0, submitted - inserted.length - failedSpans(batch));
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

function failedSpans(batch: Pending[]): number {
  return batch.reduce((n, p) => n + p.unstorableSpans, 0);
}

/**
 * Writes one request in its own transaction; if that fails on its data, item by item, each
 * item the store refuses counted as rejected (reason `unstorable`) and named in the partial
 * success. False (and a 503 sent) when the storage itself failed.
 */
function writeAlone(p: Pending, inserted: Span[]): boolean {
  const mark = inserted.length;
  try {
    stats.pointsStored += writeBatch([p], inserted, Date.now());
    stats.transactions++;
    return true;
  } catch (e) {
    inserted.length = mark;
    if (isStorageFailure(e)) return failAlone(p, e);
  }
  const writeOne = db.transaction((fn: () => void) => fn());
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
  for (const s of p.spans) {
    const before = inserted.length;
    try {
      writeOne(() => appender.appendSpans([s], inserted));
    } catch (e) {
      inserted.length = before;
      if (isStorageFailure(e)) return failAlone(p, e);
      refuse(e, "traces");
    }
  }
  for (const point of p.points) {
    try {
      writeOne(() => (stats.pointsStored += appender.appendMetricPoints([point], Date.now())));
    } catch (e) {
      if (isStorageFailure(e)) return failAlone(p, e);
      refuse(e, "metrics");
    }
  }
  for (const log of p.logs) {
    try {
      writeOne(() => (stats.logsStored += logAppender.appendLogs([log])));
    } catch (e) {
      if (isStorageFailure(e)) return failAlone(p, e);
      refuse(e, "logs");
    }
  }
  return true;
}

function failAlone(p: Pending, e: unknown): false {
  noteStorageFailure(e);
  reply(p.id, { ok: false, status: 503, message: describeForSender(readSqliteCode(e)) });
  return false;
}

let lastFailureLog = 0;
/** One clear log line per condition and 10 s (a full disk would otherwise log per request). */
function noteStorageFailure(e: unknown): void {
  const code = readSqliteCode(e) || "unknown";
  stats.storeFailures[code] = (stats.storeFailures[code] ?? 0) + 1;
  const now = Date.now();
  if (now - lastFailureLog < 10_000) return;
  lastFailureLog = now;
  const hint = describeForOperator(code, readFreeBytes());
  console.error(JSON.stringify({ level: "error", msg: `telemetry store write failed (${code}): ${hint}`, error: (e as Error).message, dataDir: config.CARTOGRAPH_DATA_DIR }));
}

function readFreeBytes(): number | null {
  try {
    const s = statfsSync(config.CARTOGRAPH_DATA_DIR);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
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
      // A failing store is logged once per condition and 10 s, not per aggregator and flush.
      if (isStorageFailure(e)) noteStorageFailure(e);
      else console.error(`aggregator ${a.name} failed in flush: ${(e as Error).stack}`);
    }
    stats.aggregators[a.name] = a.snapshot();
  }
  stats.attributesTruncated = attrStats.truncatedValues;
  stats.attributesDropped = attrStats.droppedAttributes;
  try {
    stats.storeBytes = measureUsedBytes(db);
  } catch {
    // measuring is best effort (the store may be failing); the stats still go out
  }
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
    if (isStorageFailure(e)) noteStorageFailure(e);
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
