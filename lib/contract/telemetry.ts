import { z } from "zod";
import { attributesSchema, integerParam, numberParam, redStatsSchema, scopeQuery } from "./common";
import { defineEndpoint } from "./endpoint";
import {
  healthSchema,
  metricAggregationSchema,
  metricTypeSchema,
  spanKindSchema,
  statusCodeSchema,
  temporalitySchema,
} from "./enums";
import { windowQuery } from "./time-window";

/** Services, operations, RED time series, traces and OTLP metrics (API.md). */

const serviceName = z.object({ name: z.string().min(1).meta({ description: "the service.name" }) });
const stepParam = numberParam.pipe(
  z.number().min(1, "step must be 1..86400 seconds").max(86_400, "step must be 1..86400 seconds"),
);

export const serviceSummarySchema = redStatsSchema
  .extend({
    name: z.string(),
    namespace: z.string().nullable(),
    environment: z.string().nullable(),
    health: healthSchema,
  })
  .meta({ id: "ServiceSummary" });
export type ServiceSummary = z.infer<typeof serviceSummarySchema>;

export const getServices = defineEndpoint({
  id: "getServices",
  method: "GET",
  path: "/api/v1/services",
  tag: "services",
  summary: "Services seen in the window with the RED of the requests they served, one row per service and environment",
  query: z.object({ ...windowQuery, ...scopeQuery }),
  window: true,
  response: z.object({ services: z.array(serviceSummarySchema) }),
});

export const operationSummarySchema = redStatsSchema
  .extend({ name: z.string(), kind: spanKindSchema, health: healthSchema })
  .meta({ id: "OperationSummary" });
export type OperationSummary = z.infer<typeof operationSummarySchema>;

export const getOperations = defineEndpoint({
  id: "getOperations",
  method: "GET",
  path: "/api/v1/services/:name/operations",
  tag: "services",
  summary: "RED per operation (span name × kind) of one service",
  params: serviceName,
  query: z.object({ ...windowQuery, environment: scopeQuery.environment }),
  window: true,
  errors: [404],
  response: z.object({ service: z.string(), operations: z.array(operationSummarySchema) }),
});

export const redPointSchema = z
  .object({
    t: z.number().meta({ description: "step start, epoch ms" }),
    requests: z.number(),
    errors: z.number(),
    errorRate: z.number().nullable(),
    rps: z.number(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    p99Ms: z.number().nullable(),
  })
  .meta({ id: "RedPoint" });
export type RedPoint = z.infer<typeof redPointSchema>;

export const getServiceTimeseries = defineEndpoint({
  id: "getServiceTimeseries",
  method: "GET",
  path: "/api/v1/services/:name/timeseries",
  tag: "services",
  summary: "RED over time; a step without data has requests 0 and null latencies",
  params: serviceName,
  query: z.object({
    ...windowQuery,
    step: stepParam.optional().meta({ description: "seconds (rounded to whole minutes); default ≈ window/60" }),
    operation: z.string().min(1).optional().meta({ description: "one operation only" }),
    environment: scopeQuery.environment,
  }),
  window: true,
  errors: [404],
  response: z.object({ service: z.string(), stepSeconds: z.number(), points: z.array(redPointSchema) }),
});

export const traceSummarySchema = z
  .object({
    traceId: z.string(),
    rootService: z.string().nullable(),
    rootOperation: z.string().nullable(),
    startTime: z.number().meta({ description: "epoch ms" }),
    durationMs: z.number(),
    spanCount: z.number(),
    errorCount: z.number(),
    services: z.array(z.string()),
  })
  .meta({ id: "TraceSummary" });
export type TraceSummary = z.infer<typeof traceSummarySchema>;

/** A year in milliseconds: no span filter needs a longer duration (and 1e300 must not reach SQL). */
const durationParam = numberParam.pipe(
  z
    .number()
    .min(0, "must be >= 0")
    .max(365 * 86_400_000, "must be at most a year (31536000000 ms)"),
);

export const searchTraces = defineEndpoint({
  id: "searchTraces",
  method: "GET",
  path: "/api/v1/traces",
  tag: "traces",
  summary: "Trace search; filters apply to spans (as in Jaeger); newest first",
  query: z
    .object({
      ...windowQuery,
      service: z.string().min(1).optional(),
      operation: z.string().min(1).optional(),
      status: z.enum(["error", "ok"]).optional(),
      minDurationMs: durationParam.optional(),
      maxDurationMs: durationParam.optional(),
      attr: z
        .string()
        .regex(/^[^=]+=.*$/s, "attr must look like key=value")
        .transform((a) => ({ key: a.slice(0, a.indexOf("=")), value: a.slice(a.indexOf("=") + 1) }))
        .optional()
        .meta({ description: "key=value: a span attribute equal to the value" }),
      limit: integerParam
        .pipe(z.number().min(1, "limit must be an integer 1..1000").max(1000, "limit must be an integer 1..1000"))
        .optional(),
      environment: scopeQuery.environment,
    })
    .refine(
      (q) => q.minDurationMs === undefined || q.maxDurationMs === undefined || q.minDurationMs <= q.maxDurationMs,
      {
        message: "minDurationMs must not be greater than maxDurationMs",
        path: ["minDurationMs"],
      },
    ),
  window: true,
  response: z.object({ traces: z.array(traceSummarySchema) }),
});

export const traceSpanSchema = z
  .object({
    spanId: z.string(),
    parentSpanId: z.string().nullable(),
    service: z.string(),
    name: z.string(),
    kind: spanKindSchema,
    startTimeUnixNano: z.string().meta({ description: "nanoseconds as an exact decimal string" }),
    endTimeUnixNano: z.string(),
    durationMs: z.number(),
    status: z.object({ code: statusCodeSchema, message: z.string().nullable().optional() }),
    attributes: attributesSchema,
    resource: attributesSchema,
    scope: z.unknown().optional(),
    events: z.array(
      z.object({ name: z.string(), timeUnixNano: z.string().optional(), attributes: attributesSchema.optional() }),
    ),
    links: z.array(z.object({ traceId: z.string(), spanId: z.string(), attributes: attributesSchema.optional() })),
  })
  .meta({ id: "TraceSpan" });
export type TraceSpan = z.infer<typeof traceSpanSchema>;

/** Spans of one trace per answer unless `limit` says otherwise; a larger trace is paged. */
export const TRACE_PAGE_DEFAULT = 2000;
export const TRACE_PAGE_MAX = 10_000;

export const getTrace = defineEndpoint({
  id: "getTrace",
  method: "GET",
  path: "/api/v1/traces/:traceId",
  tag: "traces",
  summary: "The spans of a trace in start order, paged: at most `limit` per answer, `nextCursor` for the rest",
  params: z.object({ traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, "trace id must be 32 hex characters") }),
  query: z.object({
    limit: integerParam
      .pipe(
        z
          .number()
          .min(1, `limit must be an integer 1..${TRACE_PAGE_MAX}`)
          .max(TRACE_PAGE_MAX, `limit must be an integer 1..${TRACE_PAGE_MAX}`),
      )
      .optional()
      .meta({ description: `spans per answer, default ${TRACE_PAGE_DEFAULT}` }),
    cursor: z
      .string()
      .regex(/^\d{1,20}\.[0-9a-f]{16}$/, "cursor must be a nextCursor from a previous answer")
      .optional()
      .meta({ description: "the previous answer's nextCursor: spans after it" }),
  }),
  errors: [404],
  response: z.object({
    traceId: z.string(),
    spans: z.array(traceSpanSchema),
    totalSpans: z.number().int().meta({ description: "spans the trace holds in all" }),
    truncated: z
      .boolean()
      .meta({ description: "true when spans of the trace are not in this answer (see nextCursor)" }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "pass as cursor for the spans after this page; null on the last page" }),
  }),
});

/** Metric listings answer at most this many metrics unless `limit` says otherwise. */
export const METRIC_LIST_DEFAULT = 2_000;
export const METRIC_LIST_MAX = 10_000;

export const metricInfoSchema = z
  .object({
    service: z.string(),
    name: z.string(),
    type: metricTypeSchema,
    unit: z.string(),
    description: z.string(),
    monotonic: z.boolean(),
    temporality: temporalitySchema,
    series: z.number(),
  })
  .meta({ id: "MetricInfo" });
export type MetricInfo = z.infer<typeof metricInfoSchema>;

export const listMetrics = defineEndpoint({
  id: "listMetrics",
  method: "GET",
  path: "/api/v1/metrics",
  tag: "metrics",
  summary: "OTLP metrics seen per service, by service then name, at most `limit`",
  query: z.object({
    ...windowQuery,
    service: z.string().min(1).optional(),
    limit: integerParam
      .pipe(
        z
          .number()
          .min(1, `limit must be an integer 1..${METRIC_LIST_MAX}`)
          .max(METRIC_LIST_MAX, `limit must be an integer 1..${METRIC_LIST_MAX}`),
      )
      .optional()
      .meta({ description: `metrics per answer, default ${METRIC_LIST_DEFAULT}` }),
  }),
  window: true,
  response: z.object({
    metrics: z.array(metricInfoSchema),
    truncated: z.boolean().meta({ description: "true when more metrics matched than `limit`" }),
  }),
});

export const metricSeriesSchema = z.object({
  labels: z.record(z.string(), z.unknown()),
  points: z.array(z.object({ t: z.number(), v: z.number().nullable() })),
});
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

export const queryMetric = defineEndpoint({
  id: "queryMetric",
  method: "GET",
  path: "/api/v1/metrics/query",
  tag: "metrics",
  summary:
    "One metric as series per attribute set. Default aggregation by type: monotonic sums → rate (per second, reset-aware), gauges → avg, histograms → p95 from bucket counts",
  query: z.object({
    ...windowQuery,
    service: z.string().min(1),
    name: z.string().min(1),
    step: stepParam.optional(),
    agg: metricAggregationSchema.optional(),
  }),
  window: true,
  errors: [404],
  response: z.object({
    service: z.string(),
    name: z.string(),
    type: metricTypeSchema,
    unit: z.string(),
    aggregation: metricAggregationSchema,
    stepSeconds: z.number(),
    series: z.array(metricSeriesSchema),
  }),
});
