import "server-only";
import type { Config } from "../../platform/config";
import type { Span } from "../../normalize";
import type { AppendBatch, AppendResult, RetentionResult, TelemetryReader, TelemetryStore } from "../telemetry-store";
import { openConnection, queryRows } from "./connection";
import { readPairingWatermark, writeGraphPass } from "./graph-io";
import { readEdgeFacts, readNodes, readServiceNodes } from "./graph-catalog";
import { readCompleteness, readEdgeMinutes } from "./graph-read";
import { readGraphHours } from "./graph-window";
import type { GraphPass } from "./graph-types";
import { compactGraphMinutes } from "./minute-rollups";
import { compactGraphHours, readEdgeHours, readRedHours } from "./hour-rollups";
import {
  listArrivedTraces,
  readLateScanMark,
  readStoreClock,
  recompactWindows,
  windowsOfTraces,
  writeLateScanMark,
} from "./late-arrivals";
import { noteLateWindows, readLateWindows, settleLateWindows, type LateWindow } from "./late-windows";
import { migrateClickHouse } from "./migrate";
import { readRollupChanges, recordRollupChanges } from "./rollup-changes";
import { CACHE_SETTLE_MINUTES } from "../../platform/late-rollups";
import { appendRed } from "./red-io";
import {
  listAbandonedEpochs,
  readEpochSpans,
  writeRecoveredRed,
  type AbandonedEpochs,
  type RecoveredEpoch,
} from "./red-recovery";
import { createEpochJournal } from "./rollup-epochs";
import { hasService, listOperations, listServices, readRed } from "./red-read";
import { dropExpiredPartitions, dropOverBudget, type BudgetResult } from "./retention";
import { clickHouseSettingsFrom, type ClickHouseSettings } from "./settings";
import {
  appendNewSpans,
  countStoredSpans,
  listTraceIdsInWindow,
  readFirstSpanMs,
  readTraceSpans,
  readTracesSpans,
} from "./span-io";
import { readSpansInWindow, searchTraces } from "./span-search";
import { appendMetricPoints, listMetricServices, listMetrics, readMetricPoints, readMetricSeries } from "./metric-io";
import { appendLogs } from "./log-io";
import { countLogs, countLogsByService, isLogCursor, listLogServices, readTraceLogs, searchLogs } from "./log-read";

/**
 * The ClickHouse telemetry store (CARTOGRAPH_STORE=clickhouse): the TelemetryStore contract
 * plus what a cluster needs (`cluster`: pairing passes and their watermark, the merged graph
 * window). Many instances share one database: every write is an append that reads merge.
 *
 * The graph: an instance sees only some halves of each call, so its streaming graph flush
 * (graph.mergeGraph) is ignored here; the elected leader writes the graph with pairing passes
 * over closed windows (server/aggregate/servicegraph/cluster-pairing.ts).
 */
export interface ClickHouseStore extends TelemetryStore {
  readonly settings: ClickHouseSettings;
  /** Applies the schema (idempotent, versioned); resolves to the schema version. */
  migrate(): Promise<number>;
  /** Resolves once ClickHouse accepted the spans (duplicates of stored spans are skipped). */
  appendSpans(spans: readonly Span[]): Promise<Span[]>;
  readTraceSpans(traceId: string): Promise<Span[]>;
  readTracesSpans(traceIds: readonly string[]): Promise<Map<string, Span[]>>;
  listTraceIdsInWindow(fromMs: number, toMs: number): Promise<string[]>;
  countStoredSpans(): Promise<number>;
  /** Start of the minute of the earliest stored span, null when none (where pairing passes begin). */
  readFirstSpanMs(): Promise<number | null>;
  writeGraphPass(pass: GraphPass, nowMs: number): Promise<void>;
  /** End of the last final pass window (`early`: of any pass, early ones included). */
  readPairingWatermark(stepMs: number, early?: boolean): Promise<number | null>;
  /** Late spans (leader only, see late-arrivals.ts): the ClickHouse clock, epoch seconds. */
  readStoreClock(): Promise<number>;
  readLateScanMark(): Promise<number | null>;
  writeLateScanMark(seconds: number): Promise<void>;
  /** Traces with spans stored at or after `sinceS` (ClickHouse clock), at most `limit` arrivals (late-arrivals.ts). */
  listArrivedTraces(sinceS: number, limit: number): Promise<{ traceIds: string[]; throughS: number | null }>;
  /** Pass windows in [fromMs, toMs) holding a span of these traces. */
  windowsOfTraces(traceIds: readonly string[], stepMs: number, fromMs: number, toMs: number): Promise<number[]>;
  /** Late windows stored to pair again (a run's leftovers and failures, late-windows.ts), from `fromMs` on. */
  readLateWindows(stepMs: number, fromMs: number): Promise<LateWindow[]>;
  noteLateWindows(stepMs: number, windows: readonly number[]): Promise<void>;
  /** Settles the notes of these windows, read before they were paired again. */
  settleLateWindows(stepMs: number, windows: readonly LateWindow[]): Promise<void>;
  /** Merges again the merged minutes and compacted hours of windows paired again. */
  recompactWindows(
    windows: readonly number[],
    stepMs: number,
    nowMs: number,
  ): Promise<{ minutes: number[]; hours: number[] }>;
  /**
   * Compacts the graph of the hours the pairing watermark has passed (leader only, see
   * hour-rollups.ts); returns the hours compacted.
   */
  compactGraphHours(stepMs: number, nowMs: number): Promise<number[]>;
  /**
   * Merges the pass rows of closed minutes into one row per edge and minute (leader only, see
   * minute-rollups.ts); returns the minutes merged (epoch minutes).
   */
  compactGraphMinutes(stepMs: number, nowMs: number): Promise<number[]>;
  /**
   * RED of killed writers (leader only, see rollup-epochs.ts): the flush epochs of writers silent
   * for `silentS` seconds that no flush covers, their stored spans, and their RED written again.
   */
  listAbandonedEpochs(silentS: number): Promise<AbandonedEpochs[]>;
  readEpochSpans(a: AbandonedEpochs): Promise<Map<number, Span[]>>;
  writeRecoveredRed(a: AbandonedEpochs, recovered: readonly RecoveredEpoch[]): Promise<void>;
  /** Retention by whole days (leader only); returns the partitions dropped. */
  dropExpired(rawBeforeMs: number, rollupBeforeMs: number): Promise<string[]>;
  /** The disk budget (leader only): oldest days dropped while the database is over it (retention.ts). */
  dropOverBudget(budgetBytes: number, nowMs: number): Promise<BudgetResult>;
}

/** `heartbeatMs`: how often a writer holding unflushed RED says it is alive (rollup-epochs.ts; tests lengthen it to act a paused writer). */
export function openClickHouseStore(settings: ClickHouseSettings, o: { heartbeatMs?: number } = {}): ClickHouseStore {
  const conn = openConnection(settings);
  const epochs = createEpochJournal(conn, o);
  let reachable = false;
  const db = settings.database;
  const appendSpans = async (spans: readonly Span[]) => {
    const stored = await appendNewSpans(conn, spans);
    reachable = true;
    return stored;
  };
  const usedBytes = async () => {
    let total = 0;
    for (const node of conn.nodes) {
      const [r] = await queryRows<{ b: string | number }>(
        node,
        `SELECT sum(bytes_on_disk) AS b FROM system.parts WHERE database = '${db}' AND active`,
      );
      total += Number(r?.b ?? 0);
    }
    return total;
  };
  return {
    settings,
    migrate: async () => {
      const v = await migrateClickHouse(conn);
      reachable = true;
      return v;
    },
    ready: () => reachable,
    readRollupChanges: () => readRollupChanges(conn),
    appendSpans,
    readTraceSpans: (id) => readTraceSpans(conn, id),
    readTracesSpans: (ids) => readTracesSpans(conn, ids),
    listTraceIdsInWindow: (a, b) => listTraceIdsInWindow(conn, a, b),
    countStoredSpans: () => countStoredSpans(conn),
    readFirstSpanMs: () => readFirstSpanMs(conn),
    writeGraphPass: (p, now) => writeGraphPass(conn, p, now),
    readPairingWatermark: (step, early) => readPairingWatermark(conn, step, early),
    readStoreClock: () => readStoreClock(conn),
    readLateScanMark: () => readLateScanMark(conn),
    writeLateScanMark: (s) => writeLateScanMark(conn, s),
    listArrivedTraces: (since, limit) => listArrivedTraces(conn, since, limit),
    windowsOfTraces: (ids, step, a, b) => windowsOfTraces(conn, ids, step, a, b),
    recompactWindows: (w, step, now) => recompactWindows(conn, w, step, now),
    readLateWindows: (step, from) => readLateWindows(conn, step, from),
    noteLateWindows: (step, w) => noteLateWindows(conn, step, w),
    settleLateWindows: (step, w) => settleLateWindows(conn, step, w),
    compactGraphHours: async (stepMs, nowMs) => {
      const watermark = await readPairingWatermark(conn, stepMs);
      return watermark === null ? [] : compactGraphHours(conn, watermark, nowMs);
    },
    compactGraphMinutes: async (stepMs, nowMs) => {
      const watermark = await readPairingWatermark(conn, stepMs);
      return watermark === null ? [] : compactGraphMinutes(conn, watermark, nowMs);
    },
    listAbandonedEpochs: (silentS) => listAbandonedEpochs(conn, silentS),
    readEpochSpans: (a) => readEpochSpans(conn, a),
    writeRecoveredRed: async (a, r) => {
      await writeRecoveredRed(conn, a, r);
      // Other instances may hold these minutes in cached blocks (toMinute may be the last one, inclusive).
      await recordRollupChanges(conn, [{ fromMinute: a.fromMinute, toMinute: a.toMinute + 1 }]);
    },
    dropExpired: (raw, rollup) => dropExpiredPartitions(conn, raw, rollup),
    dropOverBudget: (budget, nowMs) => dropOverBudget(conn, budget, nowMs, usedBytes),
    spans: {
      readTrace: async (id, limit) => (await readTraceSpans(conn, id)).slice(0, limit ?? Infinity),
      readTraces: async (ids) => [...(await readTracesSpans(conn, ids)).values()].flat(),
      readSpansInWindow: (a, b, limit) => readSpansInWindow(conn, a, b, limit),
      listTraceIdsInWindow: (a, b) => listTraceIdsInWindow(conn, a, b),
      searchTraces: (q) => searchTraces(conn, q),
    },
    rollups: {
      mergeRed: async (rows, services) => {
        await appendRed(conn, rows, services, epochs);
        // Minutes other instances may hold in complete cached blocks (a minute of clock skew allowed).
        const settled = Math.floor(Date.now() / 60_000) - (CACHE_SETTLE_MINUTES - 1);
        const late = rows
          .filter((r) => r.minute < settled)
          .map((r) => ({ fromMinute: r.minute, toMinute: r.minute + 1 }));
        await recordRollupChanges(conn, late);
      },
      readRed: (q) => readRed(conn, q),
      readRedHours: (q) => readRedHours(conn, q),
      listOperations: (s, k) => listOperations(conn, s, k),
      listServices: (w) => listServices(conn, w),
      hasService: (n) => hasService(conn, n),
    },
    graph: {
      // Deliberately ignored: see the interface comment (the leader's pairing passes write the graph).
      mergeGraph: () => undefined,
      readEdgeMinutes: (w) => readEdgeMinutes(conn, w),
      readEdgeHours: (w) => readEdgeHours(conn, w),
      readEdgeFacts: () => readEdgeFacts(conn),
      readNodes: (ids) => readNodes(conn, ids),
      readServiceNodes: (a, b) => readServiceNodes(conn, a, b),
      readCompleteness: (w) => readCompleteness(conn, w),
      readGraphHours: (w) => readGraphHours(conn, w),
    },
    metrics: {
      listMetrics: (since, service) => listMetrics(conn, since, service),
      readMetricSeries: (service, name, limit) => readMetricSeries(conn, service, name, limit),
      readMetricPoints: (key, from, to) => readMetricPoints(conn, key, from, to),
      listMetricServices: (name) => listMetricServices(conn, name),
    },
    logs: {
      searchLogs: (f, limit, cursor) => searchLogs(conn, f, limit, cursor),
      isLogCursor,
      readTraceLogs: (id, limit) => readTraceLogs(conn, id, limit),
      countLogs: (f, step) => countLogs(conn, f, step),
      countLogsWithin: async (f, step) => ({ rows: await countLogs(conn, f, step), approximate: false }),
      countLogsByService: (f) => countLogsByService(conn, f),
      listLogServices: (since) => listLogServices(conn, since),
    },
    ingest: {
      /**
       * Spans, points and logs go to their tables one after the other; the batches are
       * acknowledged only when all were accepted. A failure part-way leaves some kinds stored:
       * the client's retry then stores only what is missing (every kind is deduplicated on append).
       * Spans carry this writer's flush epoch (rollup-epochs.ts).
       */
      append: async (batches: readonly AppendBatch[], nowMs: number): Promise<AppendResult> => {
        const inserted = await appendNewSpans(
          conn,
          batches.flatMap((b) => b.spans),
          (lo, hi) => epochs.stamp(lo, hi),
        );
        reachable = true;
        const pointsStored = await appendMetricPoints(
          conn,
          batches.flatMap((b) => b.points),
          nowMs,
        );
        const logsStored = await appendLogs(
          conn,
          batches.flatMap((b) => b.logs),
        );
        return { inserted, pointsStored, logsStored };
      },
      rollupJournal: epochs,
      classifyFailure: (err) => {
        const message = err instanceof Error ? err.message : String(err);
        // ClickHouse refuses a row it cannot parse with a code of its own (e.g. 26, 27, 53, 117); everything else is the store.
        if (/Code: (26|27|53|117|131)\b/.test(message))
          return {
            kind: "data",
            code: "clickhouse_refused_row",
            message: "the telemetry store refused an item of the batch",
          };
        return {
          kind: "storage",
          code: "clickhouse_unavailable",
          message: "the telemetry store (ClickHouse) did not accept the batch; retry later",
        };
      },
    },
    retention: {
      /**
       * Measures only: on a shared ClickHouse, retention is cluster-wide work that the elected
       * leader does (dropExpired, scheduled by server/jobs' startClickHouseJobs), not every
       * instance's writer, the disk budget included (dropOverBudget).
       */
      enforceRetention: async (): Promise<RetentionResult> => ({
        spansDeleted: 0,
        pointsDeleted: 0,
        logsDeleted: 0,
        rollupsDeleted: 0,
        usedBytes: await usedBytes(),
      }),
      measureUsedBytes: usedBytes,
    },
    close: () => {
      epochs.close();
      return conn.close();
    },
  };
}

/** The ClickHouse store behind a TelemetryReader, or null when another backend runs. */
export function asClickHouseStore(t: TelemetryReader): ClickHouseStore | null {
  return "writeGraphPass" in t && "dropExpired" in t ? (t as ClickHouseStore) : null;
}

/** The opener CARTOGRAPH_STORE=clickhouse registers: connects and applies the schema. */
export async function openClickHouseFromConfig(config: Config): Promise<ClickHouseStore> {
  const store = openClickHouseStore(clickHouseSettingsFrom(config));
  await store.migrate();
  return store;
}

export type { ClickHouseSettings } from "./settings";
export type { GraphPass, StoredEdgeMinute, StoredNode, StoredEdgeMeta, StoredCompleteness } from "./graph-types";
export type { StoredRedCell, StoredServiceSeen } from "./red-io";
export type { LateWindow } from "./late-windows";
export type { AbandonedEpochs, RecoveredEpoch } from "./red-recovery";
