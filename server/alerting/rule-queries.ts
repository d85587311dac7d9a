import "server-only";
import type { AlertDataSource, QueryResult, QueryWindow } from "./data-source";
import type { AlertRule } from "./rule-schema";

/**
 * Batches the data reads of one tick: rules that need the same query (same type family and
 * window) share one call, so 1,000 rules cost a handful of queries, not 1,000.
 */
export function queryKey(rule: AlertRule): string {
  const w = rule.windowSeconds;
  switch (rule.type) {
    case "service":
    case "no-data":
      return `svc:${w}`;
    case "operation":
      return `op:${w}`;
    case "edge":
      return `edge:${w}`;
    case "new-edge":
      return `newedge:${w}:${rule.baselineSeconds}`;
    case "metric":
      return `metric:${w}:${rule.metric}:${rule.aggregation ?? ""}`;
    case "coupling":
      return `findings:${w}`;
    case "logs":
      return `logs:${w}:${JSON.stringify([logSeverity(rule.minSeverity), rule.text ?? "", Object.entries(rule.attributes).sort()])}`;
  }
}

const SEVERITY_FLOORS = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;

/** A log rule's minSeverity as a SeverityNumber. */
export function logSeverity(v: number | keyof typeof SEVERITY_FLOORS): number {
  return typeof v === "number" ? v : SEVERITY_FLOORS[v];
}

function windowOf(seconds: number, now: number, endOffsetS = 0): QueryWindow {
  const toMs = now - endOffsetS * 1000;
  return { fromMs: toMs - seconds * 1000, toMs };
}

export async function runQuery(rule: AlertRule, ds: AlertDataSource, now: number): Promise<QueryResult> {
  const win = windowOf(rule.windowSeconds, now);
  try {
    switch (rule.type) {
      case "service":
      case "no-data":
        return { kind: "red", rows: await ds.serviceRed(win) };
      case "operation":
        return { kind: "red", rows: await ds.operationRed(win) };
      case "edge":
        return { kind: "edges", rows: await ds.edgeRed(win) };
      case "new-edge": {
        const [rows, baseline] = await Promise.all([
          ds.edgeRed(win),
          ds.edgeRed(windowOf(rule.baselineSeconds, now, rule.windowSeconds)),
        ]);
        return { kind: "edges", rows, baseline };
      }
      case "metric":
        return {
          kind: "metric",
          rows: await ds.metricValue(win, { metric: rule.metric, aggregation: rule.aggregation }),
        };
      case "coupling":
        return { kind: "findings", rows: await ds.violations(win) };
      case "logs":
        if (!ds.logCounts) return { kind: "error", message: "this data source cannot count log lines" };
        return {
          kind: "logs",
          rows: await ds.logCounts(win, {
            minSeverity: logSeverity(rule.minSeverity),
            text: rule.text || undefined,
            attributes: rule.attributes,
          }),
        };
    }
  } catch (e) {
    return { kind: "error", message: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs each distinct query once (in parallel) and maps every rule to its result. */
export async function runQueries(
  rules: AlertRule[],
  ds: AlertDataSource,
  now: number,
): Promise<Map<string, QueryResult>> {
  const byKey = new Map<string, Promise<QueryResult>>();
  for (const r of rules) {
    const k = queryKey(r);
    if (!byKey.has(k)) byKey.set(k, runQuery(r, ds, now));
  }
  const out = new Map<string, QueryResult>();
  await Promise.all([...byKey].map(async ([k, p]) => out.set(k, await p)));
  return out;
}
