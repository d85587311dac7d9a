import "server-only";
import { z } from "zod";

/**
 * OTLP/JSON per the spec's JSON mapping: lowerCamelCase fields, hex ids, enums as integers
 * only (a name like "SPAN_KIND_SERVER" rejects the span, it is never mis-mapped), 64-bit
 * integers as string or number. Unknown fields are ignored. Span-level problems (ids, enum
 * names) are checked by normalize so that one bad span rejects only itself; this schema
 * rejects only a structurally broken envelope.
 */
export const int64 = z.union([z.string().regex(/^-?\d+$/, "expected an integer string"), z.number().int()]);
export const anyValue: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: int64.optional(),
      doubleValue: z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"])]).optional(),
      arrayValue: z.object({ values: z.array(anyValue).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValue).optional() }).optional(),
      bytesValue: z.string().optional(),
    })
    .nullable(),
);
const keyValue = z.object({ key: z.string(), value: anyValue.optional() });
export const attributes = z.array(keyValue).optional();
export const resource = z.object({ attributes, droppedAttributesCount: z.number().optional() }).optional();
export const scope = z.object({ name: z.string().optional(), version: z.string().optional(), attributes }).optional();
const loose = z.unknown();

const span = z.object({
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  parentSpanId: z.string().optional(),
  traceState: z.string().optional(),
  name: z.string().optional(),
  kind: loose.optional(),
  startTimeUnixNano: int64.optional(),
  endTimeUnixNano: int64.optional(),
  attributes,
  events: z.array(z.object({ timeUnixNano: int64.optional(), name: z.string().optional(), attributes })).optional(),
  links: z.array(z.object({ traceId: z.string().optional(), spanId: z.string().optional(), attributes })).optional(),
  status: z.object({ code: loose.optional(), message: z.string().optional() }).optional(),
});

export const TraceRequestJson = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource,
        scopeSpans: z.array(z.object({ scope, spans: z.array(span).optional() })).optional(),
      }),
    )
    .optional(),
});

const number = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity"]), z.string()]);
const dataPoint = z.object({
  attributes,
  startTimeUnixNano: int64.optional(),
  timeUnixNano: int64.optional(),
  asDouble: number.optional(),
  asInt: int64.optional(),
  count: int64.optional(),
  sum: number.optional(),
  bucketCounts: z.array(int64).optional(),
  explicitBounds: z.array(number).optional(),
  scale: z.number().int().optional(),
  zeroCount: int64.optional(),
  positive: z.object({ offset: z.number().int().optional(), bucketCounts: z.array(int64).optional() }).optional(),
  negative: z.object({ offset: z.number().int().optional(), bucketCounts: z.array(int64).optional() }).optional(),
  quantileValues: z.array(z.object({ quantile: number.optional(), value: number.optional() })).optional(),
  min: number.optional(),
  max: number.optional(),
  flags: z.number().optional(),
});
const points = z.object({
  dataPoints: z.array(dataPoint).optional(),
  aggregationTemporality: loose.optional(),
  isMonotonic: z.boolean().optional(),
});

export const MetricsRequestJson = z.object({
  resourceMetrics: z
    .array(
      z.object({
        resource,
        scopeMetrics: z
          .array(
            z.object({
              scope,
              metrics: z
                .array(
                  z.object({
                    name: z.string().optional(),
                    description: z.string().optional(),
                    unit: z.string().optional(),
                    gauge: points.optional(),
                    sum: points.optional(),
                    histogram: points.optional(),
                    exponentialHistogram: points.optional(),
                    summary: points.optional(),
                  }),
                )
                .optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
