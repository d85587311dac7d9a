import "server-only";
import type { AlertRule, Comparison } from "./rule-schema";
import type { EdgeRow, QueryResult, RedRow } from "./data-source";
import { expandTemplate } from "./templates";
import { compileSafeRegex } from "./safe-regex";

/** One series of a rule's query: its identity labels, value and whether the condition holds. */
export interface Sample {
  labels: Record<string, string>;
  value: number | null;
  active: boolean;
}

export type Evaluation =
  | { status: "ok"; samples: Sample[]; at: number }
  | { status: "no-data"; reason: string; at: number }
  | { status: "error"; reason: string; at: number };

const SEVERITY_RANK = { info: 1, warning: 2, critical: 3 } as const;
/** `*` matches anything, `~re` is a fully anchored RE2 (linear-time) expression, else equality. */
export function matchName(filter: string, value: string): boolean {
  if (filter === "*") return true;
  if (!filter.startsWith("~")) return filter === value;
  const re = compileSafeRegex(filter.slice(1));
  return re !== null && re.test(value);
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

function redValue(
  row: Pick<RedRow, "requests" | "errors" | "p50Ms" | "p95Ms" | "p99Ms">,
  signal: string,
  windowSeconds: number,
): number | null {
  switch (signal) {
    case "error_rate":
      return row.requests > 0 ? row.errors / row.requests : null;
    case "request_rate":
      return row.requests / windowSeconds;
    case "latency_p50":
      return row.p50Ms;
    case "latency_p95":
      return row.p95Ms;
    case "latency_p99":
      return row.p99Ms;
    default:
      return null;
  }
}

/** Sums counts and keeps the worst percentile (percentiles of separate series cannot be merged here). */
function mergeRows<T extends RedRow | EdgeRow>(
  rows: T[],
): Pick<RedRow, "requests" | "errors" | "p50Ms" | "p95Ms" | "p99Ms"> {
  const maxOf = (k: "p50Ms" | "p95Ms" | "p99Ms") =>
    rows.reduce<number | null>((m, r) => (r[k] === null ? m : m === null ? r[k] : Math.max(m, r[k]!)), null);
  return {
    requests: rows.reduce((s, r) => s + r.requests, 0),
    errors: rows.reduce((s, r) => s + r.errors, 0),
    p50Ms: maxOf("p50Ms"),
    p95Ms: maxOf("p95Ms"),
    p99Ms: maxOf("p99Ms"),
  };
}

/** Builds the label set of each series: series labels, then rule labels (templated), then alertname. */
function labelBuilder(rule: AlertRule): {
  build: (series: Record<string, string>) => Record<string, string>;
  mayCollide: boolean;
} {
  const entries = Object.entries(rule.labels);
  const templated = entries.some(([, v]) => v.includes("{{"));
  if (!templated) {
    const fixed: Record<string, string> = Object.fromEntries(entries);
    fixed.alertname = rule.name;
    // Series label names are fixed per rule type (metric attributes aside), so static rule
    // labels can only collide with them when they reuse one of those names.
    const mayCollide = rule.type === "metric" || entries.some(([k]) => SERIES_LABELS.has(k));
    return { build: (series) => ({ ...series, ...fixed }), mayCollide };
  }
  return {
    build: (series) => {
      const labels: Record<string, string> = { ...series };
      for (const [k, v] of entries) labels[k] = expandTemplate(v, { labels: series });
      labels.alertname = rule.name;
      return labels;
    },
    mayCollide: true,
  };
}
const SERIES_LABELS = new Set([
  "service",
  "environment",
  "operation",
  "source",
  "target",
  "edge",
  "finding_id",
  "finding_rule",
  "severity_found",
  "services",
]);

/** Environments never mix: a service's series in each environment is its own alert instance. */
function envLabel(r: Pick<RedRow, "environment">): Record<string, string> {
  return r.environment ? { environment: r.environment } : {};
}

type SeriesOut = { series: Record<string, string>; value: number | null; active?: boolean };

function evaluateRed(
  rule: AlertRule & { type: "service" | "operation" | "edge" },
  rows: (RedRow | EdgeRow)[],
): SeriesOut[] | null {
  const matching = rows.filter((r) => {
    if (rule.type === "edge") {
      const e = r as EdgeRow;
      return matchName(rule.source, e.sourceName) && matchName(rule.target, e.targetName);
    }
    const s = r as RedRow;
    if (!matchName(rule.service, s.service)) return false;
    return rule.type === "service" || matchName(rule.operation, s.operation ?? "");
  });
  const withTraffic = matching.filter((r) => r.requests > 0 && r.requests >= rule.minRequests);
  if (withTraffic.length === 0) return null;
  if (!rule.forEach) return [{ series: {}, value: redValue(mergeRows(withTraffic), rule.signal, rule.windowSeconds) }];
  return withTraffic.map((r) => {
    const series: Record<string, string> =
      rule.type === "edge"
        ? {
            source: (r as EdgeRow).sourceName,
            target: (r as EdgeRow).targetName,
            edge: `${(r as EdgeRow).source}->${(r as EdgeRow).target}`,
          }
        : rule.type === "operation"
          ? { service: (r as RedRow).service, ...envLabel(r as RedRow), operation: (r as RedRow).operation ?? "" }
          : { service: (r as RedRow).service, ...envLabel(r as RedRow) };
    return { series, value: redValue(r, rule.signal, rule.windowSeconds) };
  });
}

/**
 * Pure: turns a rule and its query rows into samples. No I/O, no clock: `now` only stamps the
 * result. A query that returned nothing to judge is `no-data`; a failed query, a duplicate
 * label set or more instances than `rule.limit` is `error`.
 */
export function evaluateRule(rule: AlertRule, result: QueryResult, now: number): Evaluation {
  if (result.kind === "error") return { status: "error", reason: `query failed: ${result.message}`, at: now };
  let out: SeriesOut[] | null;
  switch (rule.type) {
    case "service":
    case "operation":
    case "edge":
      if (result.kind !== "red" && result.kind !== "edges") return mismatch(rule, now);
      out = evaluateRed(rule, result.rows);
      break;
    case "metric": {
      if (result.kind !== "metric") return mismatch(rule, now);
      const rows = result.rows.filter((r) => matchName(rule.service, r.service) && Number.isFinite(r.value));
      if (rows.length === 0) {
        out = null;
      } else if (rule.forEach) {
        out = rows.map((r) => ({ series: { service: r.service, ...r.attributes }, value: r.value }));
      } else {
        const agg = rule.aggregation ?? "avg";
        const vals = rows.map((r) => r.value);
        const value =
          agg === "min"
            ? Math.min(...vals)
            : agg === "max"
              ? Math.max(...vals)
              : agg === "avg" || agg === "last"
                ? vals.reduce((a, b) => a + b, 0) / vals.length
                : vals.reduce((a, b) => a + b, 0);
        out = [{ series: {}, value }];
      }
      break;
    }
    case "no-data": {
      if (result.kind !== "red") return mismatch(rule, now);
      const rows = result.rows.filter((r) => matchName(rule.service, r.service));
      out = rows.map((r) => ({
        series: { service: r.service, ...envLabel(r as RedRow) },
        value: r.requests,
        active: r.requests === 0,
      }));
      const exact = !rule.service.startsWith("~") && rule.service !== "*";
      if (exact && rows.length === 0) out = [{ series: { service: rule.service }, value: 0, active: true }];
      break;
    }
    case "coupling": {
      if (result.kind !== "findings") return mismatch(rule, now);
      const min = SEVERITY_RANK[rule.minSeverity];
      out = result.rows
        .filter((f) => SEVERITY_RANK[f.severity] >= min && (!rule.findingRule || f.rule === rule.findingRule))
        .map((f) => ({
          series: {
            finding_id: f.id,
            finding_rule: f.rule,
            severity_found: f.severity,
            services: f.services.join(","),
          },
          value: SEVERITY_RANK[f.severity],
          active: true,
        }));
      break;
    }
    case "logs": {
      if (result.kind !== "logs") return mismatch(rule, now);
      const rows = result.rows.filter((r) => matchName(rule.service, r.service));
      if (!rule.forEach) {
        out = [{ series: {}, value: rows.reduce((s, r) => s + r.count, 0) }];
      } else {
        out = rows.map((r) => ({ series: { service: r.service }, value: r.count }));
        const exact = !rule.service.startsWith("~") && rule.service !== "*";
        if (exact && rows.length === 0) out = [{ series: { service: rule.service }, value: 0 }];
      }
      break;
    }
    case "new-edge": {
      if (result.kind !== "edges") return mismatch(rule, now);
      const before = new Set((result.baseline ?? []).map((e) => `${e.source}->${e.target}`));
      out = result.rows
        .filter((e) => e.requests > 0 && matchName(rule.source, e.sourceName) && matchName(rule.target, e.targetName))
        .filter((e) => !before.has(`${e.source}->${e.target}`))
        .map((e) => ({
          series: { source: e.sourceName, target: e.targetName, edge: `${e.source}->${e.target}` },
          value: e.requests,
          active: true,
        }));
      break;
    }
  }
  if (out === null)
    return { status: "no-data", reason: "no series matched the rule's selector in the window", at: now };
  if (out.length > rule.limit) {
    return { status: "error", reason: `${out.length} instances exceed the rule limit of ${rule.limit}`, at: now };
  }
  const seen = new Set<string>();
  const samples: Sample[] = [];
  const thr = "threshold" in rule ? rule : null;
  const { build, mayCollide } = labelBuilder(rule);
  for (const o of out) {
    const labels = build(o.series);
    if (mayCollide) {
      const key = labelKey(labels);
      if (seen.has(key)) return { status: "error", reason: `duplicate label set ${key} after templating`, at: now };
      seen.add(key);
    }
    const active = o.active ?? (o.value !== null && thr !== null && compare(o.value, thr.op, thr.threshold));
    samples.push({ labels, value: o.value, active });
  }
  return { status: "ok", samples, at: now };
}

function mismatch(rule: AlertRule, now: number): Evaluation {
  return { status: "error", reason: `internal: wrong query result for rule type ${rule.type}`, at: now };
}

/** Canonical `{a="1",b="2"}` form of a label set (sorted keys). */
export function labelKey(labels: Record<string, string>): string {
  return (
    "{" +
    Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(",") +
    "}"
  );
}
