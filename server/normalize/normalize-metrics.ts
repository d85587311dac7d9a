import "server-only";
import {
  AttributeDepthError,
  convertAttributes,
  toNumber,
  type AttributeLimits,
  type AttributeStats,
} from "./attributes";
import { MAX_STORABLE_NANOS, readNanos } from "./ids";
import { readResource, type NormalizeResult } from "./normalize-traces";
import type { MetricPoint, MetricType, ResourceInfo } from "./types";

const TYPES: [string, MetricType][] = [
  ["gauge", "gauge"],
  ["sum", "sum"],
  ["histogram", "histogram"],
  ["exponentialHistogram", "exponential_histogram"],
  ["summary", "summary"],
];

function num(v: unknown): number | null {
  if (v == null) return null;
  const n = toNumber(v);
  return Number.isNaN(n) && v !== "NaN" ? null : n;
}

function nums(list: unknown[] | null | undefined): number[] {
  return (list ?? []).map((x) => toNumber(x));
}

/** OTLP ExportMetricsServiceRequest (either encoding's object) → one MetricPoint per data point. */
export function normalizeMetrics(
  req: { resourceMetrics?: unknown[] | null },
  limits: AttributeLimits,
  stats: AttributeStats,
): NormalizeResult<MetricPoint> {
  const items: MetricPoint[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const reject = (why: string) => {
    rejected++;
    if (reasons.length < 5 && !reasons.includes(why)) reasons.push(why);
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const rm of (req.resourceMetrics ?? []) as any[]) {
    let resource: ResourceInfo;
    try {
      resource = readResource(convertAttributes(rm.resource?.attributes, limits, stats));
    } catch (e) {
      if (!(e instanceof AttributeDepthError)) throw e;
      reject("resource " + e.message);
      continue;
    }
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const found = TYPES.find(([field]) => m[field] != null);
        if (!found) {
          reject(`metric ${JSON.stringify(m.name ?? "")} has no data`);
          continue;
        }
        if (!m.name) {
          reject("metric without a name");
          continue;
        }
        const [field, type] = found;
        const body = m[field];
        const temporality = readTemporality(body.aggregationTemporality);
        if (temporality === null) {
          reject("aggregationTemporality must be an integer 0..2");
          continue;
        }
        for (const dp of body.dataPoints ?? []) {
          const timeNs = readNanos(dp.timeUnixNano);
          const startNs = readNanos(dp.startTimeUnixNano);
          if (timeNs === null || startNs === null || timeNs === 0n) {
            reject("data point without a valid timeUnixNano");
            continue;
          }
          if (timeNs > MAX_STORABLE_NANOS || startNs > MAX_STORABLE_NANOS) {
            reject("timestamp beyond the year 2262 (more than a signed 64-bit nanosecond count)");
            continue;
          }
          let attributes;
          try {
            attributes = convertAttributes(dp.attributes, limits, stats);
          } catch (e) {
            if (!(e instanceof AttributeDepthError)) throw e;
            reject(e.message);
            continue;
          }
          const point: MetricPoint = {
            service: resource.service,
            resource,
            name: m.name,
            description: m.description ?? "",
            unit: m.unit ?? "",
            type,
            temporality: type === "sum" || type === "histogram" || type === "exponential_histogram" ? temporality : 0,
            monotonic: Boolean(body.isMonotonic),
            attributes,
            startNs,
            timeNs,
            value: null,
            count: null,
            sum: null,
            detail: null,
          };
          if (type === "gauge" || type === "sum") {
            point.value = dp.asDouble != null ? num(dp.asDouble) : dp.asInt != null ? num(dp.asInt) : null;
            if (point.value === null) {
              reject(`${m.name}: number data point without a value`);
              continue;
            }
          } else {
            point.count = num(dp.count) ?? 0;
            point.sum = num(dp.sum);
            if (type === "histogram") {
              point.detail = {
                bounds: nums(dp.explicitBounds),
                counts: nums(dp.bucketCounts),
                min: num(dp.min),
                max: num(dp.max),
              };
            } else if (type === "exponential_histogram") {
              point.detail = {
                scale: dp.scale ?? 0,
                zeroCount: num(dp.zeroCount) ?? 0,
                positive: { offset: dp.positive?.offset ?? 0, counts: nums(dp.positive?.bucketCounts) },
                negative: { offset: dp.negative?.offset ?? 0, counts: nums(dp.negative?.bucketCounts) },
                min: num(dp.min),
                max: num(dp.max),
              };
            } else {
              point.detail = {
                quantiles: (dp.quantileValues ?? []).map((q: { quantile?: unknown; value?: unknown }) => ({
                  quantile: num(q.quantile) ?? 0,
                  value: num(q.value),
                })),
              };
            }
          }
          items.push(point);
        }
      }
    }
  }
  return { items, rejected, reasons };
}

function readTemporality(v: unknown): 0 | 1 | 2 | null {
  if (v == null) return 0;
  return v === 0 || v === 1 || v === 2 ? v : null;
}
