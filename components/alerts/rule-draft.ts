import type { RuleBody } from "./types";
import { RED_RULE_TYPES, type ErrorPolicy, type NoDataPolicy, type RedSignal, type RuleType } from "@/lib/enums";

/**
 * The rule editor's draft: the defaults of a new rule, the labels of the contract's lists,
 * the `key=value` text areas, and the body sent to the API (only the chosen type's fields).
 */
export const NEW_RULE: RuleBody = {
  type: "service",
  name: "",
  enabled: true,
  service: "*",
  signal: "error_rate",
  forEach: true,
  minRequests: 0,
  op: ">",
  threshold: 0.05,
  for: 60,
  keepFiringFor: 0,
  windowSeconds: 300,
  labels: { severity: "warning" },
  annotations: {},
  channelIds: [],
  onNoData: "no-data",
  onError: "error",
};

// The lists come from lib/enums (the contract's own lists); a Record of labels fails to compile
// when the contract gains a value the editor does not name.
export const TYPE_LABELS: Record<RuleType, string> = {
  service: "Service RED",
  operation: "Operation RED",
  edge: "Edge RED",
  metric: "OTLP metric",
  "no-data": "No data / absent service",
  coupling: "New coupling finding",
  "new-edge": "New dependency edge",
  logs: "Log lines (count)",
};
export const SIGNAL_LABELS: Record<RedSignal, string> = {
  error_rate: "error rate (0..1)",
  latency_p50: "latency p50 (ms)",
  latency_p95: "latency p95 (ms)",
  latency_p99: "latency p99 (ms)",
  request_rate: "request rate (req/s)",
};
export const NO_DATA_LABELS: Record<NoDataPolicy, string> = {
  "no-data": "No data state",
  alerting: "Alerting",
  ok: "OK",
  "keep-last": "Keep last state",
};
export const ERROR_LABELS: Record<ErrorPolicy, string> = {
  error: "Error state",
  alerting: "Alerting",
  ok: "OK",
  "keep-last": "Keep last state",
};
export const RED = new Set<RuleType>(RED_RULE_TYPES);

export const toText = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
export const fromText = (t: string) =>
  Object.fromEntries(
    t
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => [
        l.slice(0, l.indexOf("=") < 0 ? l.length : l.indexOf("=")).trim(),
        l.includes("=") ? l.slice(l.indexOf("=") + 1).trim() : "",
      ]),
  );

/** Only the fields of the chosen type go to the API (the schema is a discriminated union). */
export function toBody(d: RuleBody): RuleBody {
  const keep: (keyof RuleBody)[] = [
    "type",
    "name",
    "enabled",
    "for",
    "keepFiringFor",
    "windowSeconds",
    "labels",
    "annotations",
    "channelIds",
    "onNoData",
    "onError",
    "limit",
  ];
  if (RED.has(d.type)) keep.push("signal", "forEach", "minRequests", "op", "threshold");
  if (d.type === "service" || d.type === "operation" || d.type === "metric" || d.type === "no-data")
    keep.push("service");
  if (d.type === "operation") keep.push("operation");
  if (d.type === "edge" || d.type === "new-edge") keep.push("source", "target");
  if (d.type === "metric") keep.push("metric", "aggregation", "forEach", "op", "threshold");
  if (d.type === "coupling") keep.push("minSeverity", "findingRule");
  if (d.type === "new-edge") keep.push("baselineSeconds");
  if (d.type === "logs") keep.push("service", "minSeverity", "text", "attributes", "forEach", "op", "threshold");
  const out: Record<string, unknown> = {};
  for (const k of keep) if (d[k] !== undefined && d[k] !== "") out[k] = d[k];
  return out as unknown as RuleBody;
}
