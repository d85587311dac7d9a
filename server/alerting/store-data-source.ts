import "server-only";
import type { TelemetryReader } from "../store";
import {
  addRow,
  createAccumulator,
  getServices,
  queryMetric,
  searchTraces,
  SERVED_KINDS,
  toRedStats,
  type RedAccumulator,
} from "../query";
import { getServiceMap } from "../query";
import type { AlertDataSource, Finding, MetricSample, QueryWindow, RedRow } from "./data-source";

/**
 * AlertDataSource over the telemetry store: services and edges through server/query, all
 * operations of all services in ONE rollup read (not one per service). Coupling findings come
 * from the function main.ts passes (the coupling stage's getViolations), else none.
 */
export const KNOWN_SERVICE_LOOKBACK_MS = 24 * 3600_000;

export function createStoreDataSource(
  t: TelemetryReader,
  opts: { violations?: (w: QueryWindow) => Finding[] | Promise<Finding[]> } = {},
): AlertDataSource {
  return {
    async serviceRed(w) {
      const rows: RedRow[] = (await getServices(t, w)).map((s) => ({
        service: s.name,
        ...(s.environment ? { environment: s.environment } : {}),
        requests: s.requests,
        errors: s.errors,
        p50Ms: s.p50Ms,
        p95Ms: s.p95Ms,
        p99Ms: s.p99Ms,
      }));
      // Services that went silent are absent from the window's rollups; no-data rules need them
      // as zero-request rows (known = seen in the KNOWN_SERVICE_LOOKBACK_MS before the window).
      const present = new Set(rows.map((r) => `${r.service}\u0000${r.environment ?? ""}`));
      const known = await t.rollups.listServices({
        fromMs: w.fromMs - KNOWN_SERVICE_LOOKBACK_MS,
        toMs: Number.MAX_SAFE_INTEGER,
      });
      for (const { name, environment } of known) {
        if (present.has(`${name}\u0000${environment ?? ""}`)) continue;
        rows.push({
          service: name,
          ...(environment ? { environment } : {}),
          requests: 0,
          errors: 0,
          p50Ms: null,
          p95Ms: null,
          p99Ms: null,
        });
      }
      return rows;
    },
    async operationRed(w) {
      const rows = await t.rollups.readRed({
        fromMinute: Math.floor(w.fromMs / 60_000),
        toMinute: Math.ceil(w.toMs / 60_000),
        kinds: SERVED_KINDS,
      });
      const acc = new Map<string, { service: string; environment: string; operation: string; acc: RedAccumulator }>();
      for (const r of rows) {
        const k = `${r.service}\u0000${r.environment}\u0000${r.operation}`;
        let a = acc.get(k);
        if (!a)
          acc.set(
            k,
            (a = { service: r.service, environment: r.environment, operation: r.operation, acc: createAccumulator() }),
          );
        addRow(a.acc, r);
      }
      const seconds = (w.toMs - w.fromMs) / 1000;
      return [...acc.values()].map((a): RedRow => {
        const s = toRedStats(a.acc, seconds);
        return {
          service: a.service,
          ...(a.environment ? { environment: a.environment } : {}),
          operation: a.operation,
          requests: s.requests,
          errors: s.errors,
          p50Ms: s.p50Ms,
          p95Ms: s.p95Ms,
          p99Ms: s.p99Ms,
        };
      });
    },
    async edgeRed(w) {
      const map = await getServiceMap(t, { fromMs: w.fromMs, toMs: w.toMs });
      const names = new Map(map.nodes.map((n) => [n.id, n.name]));
      return map.edges.map((e) => ({
        source: e.source,
        target: e.target,
        sourceName: names.get(e.source) ?? e.source,
        targetName: names.get(e.target) ?? e.target,
        requests: e.stats.requests,
        errors: e.stats.errors,
        p50Ms: e.stats.p50Ms,
        p95Ms: e.stats.p95Ms,
        p99Ms: e.stats.p99Ms,
      }));
    },
    async metricValue(w, q) {
      const services = await t.metrics.listMetricServices(q.metric);
      const stepSeconds = Math.max(1, Math.round((w.toMs - w.fromMs) / 1000));
      const out: MetricSample[] = [];
      for (const service of services) {
        const res = await queryMetric(t, {
          service,
          name: q.metric,
          window: w,
          stepSeconds,
          aggregation: q.aggregation as never,
        });
        if (!res) continue;
        for (const s of res.series) {
          const vals = s.points.map((p) => p.v).filter((v): v is number => v !== null && Number.isFinite(v));
          if (vals.length === 0) continue;
          const attributes = Object.fromEntries(
            Object.entries(s.labels).map(([k, v]) => [k.replace(/[^a-zA-Z0-9_]/g, "_"), String(v)]),
          );
          out.push({ service, attributes, value: vals[vals.length - 1]!, type: res.type });
        }
      }
      return out;
    },
    async violations(w) {
      return opts.violations ? await opts.violations(w) : [];
    },
    async logCounts(w, q) {
      const rows = await t.logs.countLogsByService({
        fromNs: BigInt(Math.floor(w.fromMs)) * 1_000_000n,
        toNs: BigInt(Math.floor(w.toMs)) * 1_000_000n,
        minSeverity: q.minSeverity,
        text: q.text,
        attributes: Object.entries(q.attributes).map(([key, value]) => ({ key, value })),
      });
      // No matching line is a count of 0, a definite value: services that logged anything in
      // the lookback get a 0 row, so their alerts resolve at once instead of going "missing".
      const present = new Set(rows.map((r) => r.service));
      for (const service of await t.logs.listLogServices(w.fromMs - KNOWN_SERVICE_LOOKBACK_MS))
        if (!present.has(service)) rows.push({ service, count: 0 });
      return rows;
    },
    async exampleTraces(service, w, limit) {
      const errors = await searchTraces(t, w, { service, status: "error", limit });
      const list = errors.length ? errors : await searchTraces(t, w, { service, limit });
      return list.map((x) => x.traceId);
    },
  };
}
