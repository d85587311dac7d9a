import "server-only";
import type { Attributes, AttrValue } from "./types";

export interface AttributeLimits {
  maxValueLength: number;
  maxDepth: number;
  maxAttributes: number;
}

/** Counts what the limits changed; owned by the caller so counting costs no allocation. */
export interface AttributeStats {
  truncatedValues: number;
  droppedAttributes: number;
}

/** Nesting deeper than the cap: the span (or point) carrying it is rejected. */
export class AttributeDepthError extends Error {}

type OtlpKeyValue = { key?: string | null; value?: OtlpAnyValue | null };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OtlpAnyValue = any;

export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") return Number(v);
  if (v && typeof v === "object" && "low" in v) return (v as unknown as { toNumber(): number }).toNumber();
  return Number(v);
}

export function truncate(s: string, limits: AttributeLimits, stats: AttributeStats): string {
  if (s.length <= limits.maxValueLength) return s;
  stats.truncatedValues++;
  return s.slice(0, limits.maxValueLength);
}

/** OTLP AnyValue (protobuf message or JSON object) → plain value. */
export function convertAnyValue(
  v: OtlpAnyValue,
  depth: number,
  limits: AttributeLimits,
  stats: AttributeStats,
): AttrValue {
  if (v == null) return null;
  if (depth > limits.maxDepth) throw new AttributeDepthError(`attribute nesting deeper than ${limits.maxDepth}`);
  if (v.stringValue != null) return truncate(v.stringValue, limits, stats);
  if (v.boolValue != null) return v.boolValue;
  if (v.intValue != null) {
    const n = toNumber(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue != null) return typeof v.doubleValue === "number" ? v.doubleValue : Number(v.doubleValue);
  if (v.arrayValue != null) {
    const values = v.arrayValue.values ?? [];
    const out: AttrValue[] = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = convertAnyValue(values[i], depth + 1, limits, stats);
    return out;
  }
  if (v.kvlistValue != null) {
    const out: Record<string, AttrValue> = {};
    for (const kv of (v.kvlistValue.values ?? []) as OtlpKeyValue[]) {
      if (kv.key) out[kv.key] = convertAnyValue(kv.value, depth + 1, limits, stats);
    }
    return out;
  }
  if (v.bytesValue != null) {
    return typeof v.bytesValue === "string" ? v.bytesValue : Buffer.from(v.bytesValue).toString("base64");
  }
  return null;
}

/**
 * OTLP KeyValue list → flat attributes. A kvlist value is flattened into dotted keys
 * (`http.request.header` {a: 1} → `http.request.header.a`), arrays stay arrays.
 */
export function convertAttributes(
  list: OtlpKeyValue[] | null | undefined,
  limits: AttributeLimits,
  stats: AttributeStats,
): Attributes {
  const out: Attributes = {};
  if (!list || list.length === 0) return out;
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const kv = list[i]!;
    const key = kv.key;
    if (!key) continue;
    if (n >= limits.maxAttributes) {
      stats.droppedAttributes += list.length - i;
      break;
    }
    const value = convertAnyValue(kv.value, 1, limits, stats);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      flattenInto(out, key, value, limits, stats);
    } else {
      out[truncateKey(key, limits, stats)] = value;
    }
    n++;
  }
  return out;
}

export function truncateKey(key: string, limits: AttributeLimits, stats: AttributeStats): string {
  return key.length > 256 ? truncate(key, { ...limits, maxValueLength: 256 }, stats) : key;
}

export function flattenInto(
  out: Attributes,
  prefix: string,
  obj: Record<string, AttrValue>,
  limits: AttributeLimits,
  stats: AttributeStats,
): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = `${prefix}.${k}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flattenInto(out, key, v, limits, stats);
    else out[truncateKey(key, limits, stats)] = v;
  }
}
