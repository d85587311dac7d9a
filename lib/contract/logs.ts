import { z } from "zod";
import { attributesSchema, integerParam, repeatedParam } from "./common";
import { defineEndpoint } from "./endpoint";
import { LOG_HISTOGRAM_RANGES, LOG_SEVERITY_NAMES, type LogSeverityName } from "./enums";
import { windowQuery } from "./time-window";

/** Log search, its histogram and the logs of one trace (API.md "Logs"). */

const SEVERITY_ALIASES: Record<string, LogSeverityName> = { warning: "warn", err: "error", critical: "fatal" };

/** `minSeverity`: a SeverityNumber 1..24 or a range name (trace, debug, info, warn, error, fatal); gives the number. */
export const minSeverityParam = z
  .string()
  .transform((v, ctx) => {
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      if (n >= 1 && n <= 24) return n;
    } else {
      const name = v.toLowerCase();
      const known = (LOG_SEVERITY_NAMES as readonly string[]).includes(name)
        ? (name as LogSeverityName)
        : SEVERITY_ALIASES[name];
      if (known) return LOG_SEVERITY_NAMES.indexOf(known) * 4 + 1;
    }
    ctx.addIssue({
      code: "custom",
      message: `minSeverity must be 1..24 or one of ${LOG_SEVERITY_NAMES.join(", ")}; got ${JSON.stringify(v)}`,
    });
    return z.NEVER;
  })
  .meta({ description: "1..24 or trace|debug|info|warn|error|fatal" });

const attrFilter = z
  .string()
  .refine((a) => a.indexOf("=") > 0, "attr must look like key=value")
  .transform((a) => ({ key: a.slice(0, a.indexOf("=")), value: a.slice(a.indexOf("=") + 1) }));

/** The filters shared by the list and the histogram. */
export const logFilterQuery = {
  ...windowQuery,
  service: z.string().min(1).max(256).optional().meta({ description: "service.name" }),
  minSeverity: minSeverityParam.optional(),
  q: z
    .string()
    .max(1000, "q is at most 1000 characters")
    .optional()
    .meta({ description: 'free text: every term as a whole word, "a phrase", prefix*' }),
  attr: repeatedParam(attrFilter)
    .refine((a) => a.length <= 20, "at most 20 attr filters")
    .optional()
    .meta({ description: "key=value against log then resource attributes; repeatable" }),
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, "traceId must be 32 hex characters")
    .optional(),
  spanId: z
    .string()
    .regex(/^[0-9a-fA-F]{16}$/, "spanId must be 16 hex characters")
    .optional(),
};

export const logLineSchema = z
  .object({
    timeUnixNano: z.string(),
    observedTimeUnixNano: z.string(),
    severityNumber: z.number(),
    severityText: z.string(),
    body: z.unknown().meta({ description: "the record's AnyValue: a string, or structured" }),
    attributes: attributesSchema,
    resource: attributesSchema,
    service: z.string(),
    traceId: z.string().nullable(),
    spanId: z.string().nullable(),
    scope: z.object({ name: z.string(), version: z.string() }).nullable(),
  })
  .meta({ id: "LogLine" });
export type LogLine = z.infer<typeof logLineSchema>;

const logLimit = integerParam.pipe(
  z.number().min(1, "limit must be an integer 1..1000").max(1000, "limit must be an integer 1..1000"),
);
const logStep = integerParam.pipe(
  z.number().min(1, "step must be an integer 1..86400 seconds").max(86_400, "step must be an integer 1..86400 seconds"),
);

export const searchLogs = defineEndpoint({
  id: "searchLogs",
  method: "GET",
  path: "/api/v1/logs",
  tag: "logs",
  summary: "Log lines, newest first, with cursor paging",
  query: z.object({
    ...logFilterQuery,
    limit: logLimit.optional().meta({ description: "1..1000, default 100" }),
    cursor: z.string().max(200).optional().meta({ description: "nextCursor of the previous page" }),
  }),
  window: true,
  response: z.object({ logs: z.array(logLineSchema), nextCursor: z.string().nullable() }),
});

const severityCounts = z.object(
  Object.fromEntries(LOG_HISTOGRAM_RANGES.map((r) => [r, z.number()])) as Record<
    (typeof LOG_HISTOGRAM_RANGES)[number],
    z.ZodNumber
  >,
);

export const getLogHistogram = defineEndpoint({
  id: "getLogHistogram",
  method: "GET",
  path: "/api/v1/logs/histogram",
  tag: "logs",
  summary: "Counts per step and severity range; every step present, aligned to multiples of step",
  query: z.object({
    ...logFilterQuery,
    step: logStep.optional().meta({ description: "seconds, 1..86400; default ≈ window/60 rounded" }),
  }),
  window: true,
  response: z.object({
    stepSeconds: z.number(),
    approximate: z.boolean().meta({
      description:
        "true when the counts were estimated from a pseudo-random share of the matching lines (text with attr/traceId filters over more lines than the server reads per histogram); false: exact",
    }),
    buckets: z.array(z.object({ t: z.number(), total: z.number(), counts: severityCounts })),
  }),
});

export const getTraceLogs = defineEndpoint({
  id: "getTraceLogs",
  method: "GET",
  path: "/api/v1/traces/:traceId/logs",
  tag: "logs",
  summary: "Every log line of a trace, oldest first, regardless of window",
  params: z.object({ traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, "trace id must be 32 hex characters") }),
  response: z.object({ traceId: z.string(), logs: z.array(logLineSchema) }),
});

export const exportLogs = defineEndpoint({
  id: "exportLogs",
  method: "POST",
  path: "/v1/logs",
  tag: "ingest",
  summary:
    "OTLP/HTTP logs (protobuf or JSON, gzip); also on :4318 and OTLP/gRPC LogsService on :4317; the same contract as /v1/traces",
  errors: [413, 415, 429, 503],
  response: z.object({ partialSuccess: z.looseObject({}).optional() }),
});
