import "server-only";
import type { AttrValue, Attributes, Span } from "../../normalize";
import { SPAN_KINDS, type SpanKindName } from "../../../lib/enums";
import type { JaegerTrace } from "../../../lib/contract";

/**
 * Jaeger's query-API JSON model (the `ui` model its HTTP API and UI use, which Grafana's Jaeger
 * data source reads): times in integer microseconds, typed tags, one process per resource
 * referenced by `processID`, references instead of a parent id. The shapes are the contract's
 * (lib/contract/jaeger.ts).
 */
export type { JaegerTrace };
export type JaegerSpan = JaegerTrace["spans"][number];
export type JaegerKeyValue = JaegerSpan["tags"][number];
export type JaegerReference = JaegerSpan["references"][number];
export type JaegerLog = JaegerSpan["logs"][number];
export type JaegerProcess = JaegerTrace["processes"][string];

/** Jaeger names span kinds as OTLP does (lib/enums SPAN_KINDS, indexed by the OTLP number). */
export type JaegerSpanKind = SpanKindName;
export const JAEGER_SPAN_KINDS: readonly JaegerSpanKind[] = SPAN_KINDS;

export function kindName(kind: number): JaegerSpanKind {
  return SPAN_KINDS[kind] ?? "unspecified";
}

export function toKeyValue(key: string, v: AttrValue): JaegerKeyValue {
  if (typeof v === "boolean") return { key, type: "bool", value: v };
  if (typeof v === "number")
    return Number.isInteger(v) ? { key, type: "int64", value: v } : { key, type: "float64", value: v };
  if (typeof v === "string") return { key, type: "string", value: v };
  return { key, type: "string", value: JSON.stringify(v) };
}

function toTags(attrs: Attributes, skip?: string): JaegerKeyValue[] {
  const out: JaegerKeyValue[] = [];
  for (const [k, v] of Object.entries(attrs)) if (k !== skip && v !== null) out.push(toKeyValue(k, v));
  return out;
}

const micros = (ns: bigint) => Number(ns / 1000n);

/**
 * One trace's spans → a Jaeger trace. Span kind, status and scope become the tags Jaeger's
 * OTLP path writes (`span.kind`, `otel.status_code`, `error`, `otel.scope.name`); events become
 * logs with an `event` field; links become FOLLOWS_FROM references after the CHILD_OF parent.
 */
export function toJaegerTrace(traceId: string, spans: readonly Span[], warnings: string[] | null = null): JaegerTrace {
  const processes: Record<string, JaegerProcess> = {};
  const processIds = new Map<string, string>();
  const processOf = (s: Span): string => {
    const key = JSON.stringify([s.resource.service, s.resource.attributes]);
    let id = processIds.get(key);
    if (!id) {
      id = `p${processIds.size + 1}`;
      processIds.set(key, id);
      processes[id] = { serviceName: s.resource.service, tags: toTags(s.resource.attributes, "service.name") };
    }
    return id;
  };
  const jspans = spans.map((s): JaegerSpan => {
    const tags = toTags(s.attributes);
    if (s.kind !== 0) tags.push({ key: "span.kind", type: "string", value: kindName(s.kind) });
    if (s.statusCode === 2) {
      tags.push(
        { key: "error", type: "bool", value: true },
        { key: "otel.status_code", type: "string", value: "ERROR" },
      );
      if (s.statusMessage) tags.push({ key: "otel.status_description", type: "string", value: s.statusMessage });
    } else if (s.statusCode === 1) tags.push({ key: "otel.status_code", type: "string", value: "OK" });
    if (s.scope.name) tags.push({ key: "otel.scope.name", type: "string", value: s.scope.name });
    if (s.scope.version) tags.push({ key: "otel.scope.version", type: "string", value: s.scope.version });
    const references: JaegerReference[] = [];
    if (s.parentSpanId) references.push({ refType: "CHILD_OF", traceID: s.traceId, spanID: s.parentSpanId });
    for (const l of s.links) references.push({ refType: "FOLLOWS_FROM", traceID: l.traceId, spanID: l.spanId });
    return {
      traceID: s.traceId,
      spanID: s.spanId,
      flags: s.attributes["zipkin.debug"] === true ? 3 : 1,
      operationName: s.name,
      references,
      startTime: micros(s.startNs),
      duration: micros(s.endNs - s.startNs),
      tags,
      logs: s.events.map((e) => ({
        timestamp: micros(e.timeUnixNano),
        fields: [{ key: "event", type: "string" as const, value: e.name }, ...toTags(e.attributes)],
      })),
      processID: processOf(s),
      warnings: null,
    };
  });
  return { traceID: traceId, spans: jspans, processes, warnings };
}
