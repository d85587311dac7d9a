import "server-only";
import {
  AttributeDepthError,
  convertAnyValue,
  convertAttributes,
  type AttributeLimits,
  type AttributeStats,
} from "./attributes";
import { readId, readNanos } from "./ids";
import type { LogRecord } from "./log-types";
import { readResource, type NormalizeResult } from "./normalize-traces";
import type { AttrValue, ResourceInfo } from "./types";

const MAX_REASONS = 5;

export interface LogLimits extends AttributeLimits {
  /** Longest stored body string (characters); longer bodies are truncated and counted. */
  maxBodyLength: number;
}

/**
 * OTLP ExportLogsServiceRequest (either encoding's object) → domain log records.
 * A record is rejected only for what makes it meaningless: an unreadable timestamp, a
 * severity outside 0..24, attributes nested beyond the limit. A body nested beyond the limit
 * is kept, its deepest levels replaced by a marker: a log line is evidence, not schema.
 * `nowNs` stands in for records that carry neither an event nor an observed time.
 */
export function normalizeLogs(
  req: { resourceLogs?: unknown[] | null },
  limits: LogLimits,
  stats: AttributeStats,
  nowNs: bigint,
): NormalizeResult<LogRecord> {
  const items: LogRecord[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (reasons.length < MAX_REASONS && !reasons.includes(why)) reasons.push(why);
  };
  const bodyLimits = { ...limits, maxValueLength: limits.maxBodyLength };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const rl of (req.resourceLogs ?? []) as any[]) {
    let resource: ResourceInfo;
    try {
      resource = readResource(convertAttributes(rl.resource?.attributes, limits, stats));
    } catch (e) {
      if (!(e instanceof AttributeDepthError)) throw e;
      for (const sl of rl.scopeLogs ?? [])
        for (let i = 0; i < (sl.logRecords?.length ?? 0); i++) reject("resource " + e.message);
      continue;
    }
    for (const sl of rl.scopeLogs ?? []) {
      const scope = { name: sl.scope?.name ?? "", version: sl.scope?.version ?? "" };
      for (const r of sl.logRecords ?? []) {
        const time = readNanos(r.timeUnixNano);
        const observed = readNanos(r.observedTimeUnixNano);
        if (time === null || observed === null) {
          reject("unreadable timestamp");
          continue;
        }
        const severity = r.severityNumber ?? 0;
        if (typeof severity !== "number" || !Number.isInteger(severity) || severity < 0 || severity > 24) {
          reject("severity number must be an integer 0..24");
          continue;
        }
        try {
          const attributes = convertAttributes(r.attributes, limits, stats);
          items.push({
            timeNs: time > 0n ? time : observed > 0n ? observed : nowNs,
            observedNs: observed > 0n ? observed : nowNs,
            severityNumber: severity,
            severityText: typeof r.severityText === "string" ? r.severityText.slice(0, 64) : "",
            body: convertBody(r.body, 1, bodyLimits, stats),
            attributes,
            traceId: readOptionalId(r.traceId, 16),
            spanId: readOptionalId(r.spanId, 8),
            flags: typeof r.flags === "number" ? r.flags >>> 0 : 0,
            scope,
            resource,
          });
        } catch (e) {
          if (!(e instanceof AttributeDepthError)) throw e;
          reject(e.message);
        }
      }
    }
  }
  return { items, rejected, reasons };
}

function readOptionalId(v: unknown, bytes: number): string | null {
  if (v == null || v === "" || (v instanceof Uint8Array && v.length === 0)) return null;
  return readId(v, bytes);
}

export const NESTED_TOO_DEEP = "[nested too deep]";

/** Like convertAnyValue, but an over-deep level becomes a marker instead of failing the record. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function convertBody(v: any, depth: number, limits: AttributeLimits, stats: AttributeStats): AttrValue {
  if (v == null) return null;
  if (depth > limits.maxDepth) {
    stats.truncatedValues++;
    return NESTED_TOO_DEEP;
  }
  if (v.arrayValue != null)
    return (v.arrayValue.values ?? []).map((x: unknown) => convertBody(x, depth + 1, limits, stats));
  if (v.kvlistValue != null) {
    const out: Record<string, AttrValue> = {};
    for (const kv of v.kvlistValue.values ?? [])
      if (kv.key) out[kv.key] = convertBody(kv.value, depth + 1, limits, stats);
    return out;
  }
  return convertAnyValue(v, depth, limits, stats);
}
