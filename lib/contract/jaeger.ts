import { z } from "zod";
import { repeatedParam } from "./common";
import { defineEndpoint } from "./endpoint";
import { SPAN_KINDS } from "./enums";

/**
 * Jaeger's query HTTP API under /jaeger/api (what Grafana's Jaeger data source and the Jaeger
 * UI call), in Jaeger's JSON model and envelope `{data, total, limit, offset, errors}`. Errors
 * are `[{code, msg}]` with the HTTP status in `code` and `data` null, as Jaeger answers them.
 */

const keyValue = z.object({
  key: z.string(),
  type: z.enum(["string", "bool", "int64", "float64", "binary"]),
  value: z.union([z.string(), z.number(), z.boolean()]),
});

export const jaegerTraceSchema = z
  .object({
    traceID: z.string(),
    spans: z.array(
      z.object({
        traceID: z.string(),
        spanID: z.string(),
        flags: z.number(),
        operationName: z.string(),
        references: z.array(
          z.object({ refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]), traceID: z.string(), spanID: z.string() }),
        ),
        startTime: z.number().meta({ description: "microseconds since the epoch" }),
        duration: z.number().meta({ description: "microseconds" }),
        tags: z.array(keyValue),
        logs: z.array(z.object({ timestamp: z.number(), fields: z.array(keyValue) })),
        processID: z.string(),
        warnings: z.array(z.string()).nullable(),
      }),
    ),
    processes: z.record(z.string(), z.object({ serviceName: z.string(), tags: z.array(keyValue) })),
    warnings: z.array(z.string()).nullable(),
  })
  .meta({ id: "JaegerTrace" });
export type JaegerTrace = z.infer<typeof jaegerTraceSchema>;

/** Jaeger's envelope around `data`. */
function envelope<T extends z.ZodType>(data: T) {
  return z.object({
    data: data.nullable(),
    total: z.number(),
    limit: z.number(),
    offset: z.number(),
    errors: z.array(z.object({ code: z.number(), msg: z.string() })).nullable(),
  });
}

// Jaeger's parameters, parsed here so the route gets values (and OpenAPI shows the rules).
// Jaeger's UI sends unset form fields as empty parameters: "" counts as absent.

/** "" as absent, anything else through `schema`. */
function blankAsAbsent<T extends z.ZodType<unknown, string>>(schema: T) {
  return z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v))
    .pipe(schema.optional());
}

/** Traces one Jaeger search answers at most (a larger `limit` is lowered to it, not refused). */
const MAX_SEARCH_LIMIT = 1000;
const positiveLimit = z
  .string()
  .regex(/^\d+$/, "must be a positive integer")
  .transform(Number)
  .pipe(z.number().min(1, "must be a positive integer"))
  .transform((n) => Math.min(n, MAX_SEARCH_LIMIT));

/** A whole number in min..max, from a query string. */
function intInRange(min: number, max: number) {
  const message = `must be an integer in ${min}..${max}`;
  return z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message));
}

const UNITS_US: Record<string, number> = {
  ns: 0.001,
  us: 1,
  µs: 1,
  μs: 1,
  ms: 1000,
  s: 1e6,
  m: 60e6,
  h: 3600e6,
  d: 86_400e6,
};
const DURATION_PART = /^(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h|d)/;

/** A Go duration (`1.5s`, `100ms`, `1h30m`; Jaeger's UI also sends `2d`) in microseconds; null when it is not one. */
export function parseGoDurationUs(text: string): number | null {
  let rest = text.trim();
  if (rest === "") return null;
  let total = 0;
  while (rest !== "") {
    const m = DURATION_PART.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * UNITS_US[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** A Go duration in microseconds; `custom` (the UI's fixed range) gives undefined when allowed. */
function goDurationUs(allowCustom = false) {
  return z.string().transform((v, ctx) => {
    if (allowCustom && v === "custom") return undefined;
    const us = parseGoDurationUs(v);
    if (us === null) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(v)} is not a duration such as 100ms, 1.5s, 2m or 1h` });
      return z.NEVER;
    }
    return us;
  });
}

type Tag = { key: string; value: string };
const tagsJson = z.string().transform((json, ctx): Tag[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  const r = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(parsed);
  if (!r.success) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(json.slice(0, 100))} is not a JSON object of string values such as {"http.status_code":"500"}`,
    });
    return z.NEVER;
  }
  return Object.entries(r.data).map(([key, value]) => ({ key, value: String(value) }));
});
const tagPair = z
  .string()
  .regex(/^[^:]+:/, "must look like key:value")
  .transform((t): Tag => ({ key: t.slice(0, t.indexOf(":")), value: t.slice(t.indexOf(":") + 1) }));

/** 2100-01-01 in microseconds: no later instant is a real query. */
const MAX_US = 4_102_444_800_000_000;
const micros = intInRange(0, MAX_US);
const jaeger = { tag: "jaeger", method: "GET", errors: [404] } as const;
const traceIdParam = z.string().regex(/^[0-9a-fA-F]{1,32}$/, "is not a trace id (1 to 32 hex characters)");

export const jaegerServices = defineEndpoint({
  ...jaeger,
  id: "jaegerServices",
  path: "/jaeger/api/services",
  summary: "Jaeger query API: service names (Grafana's Jaeger data source: URL http://<host>:3000/jaeger)",
  response: envelope(z.array(z.string())),
});

export const jaegerServiceOperations = defineEndpoint({
  ...jaeger,
  id: "jaegerServiceOperations",
  path: "/jaeger/api/services/:service/operations",
  summary: "Operation names of a service",
  params: z.object({ service: z.string().min(1) }),
  response: envelope(z.array(z.string())),
});

export const jaegerOperations = defineEndpoint({
  ...jaeger,
  id: "jaegerOperations",
  path: "/jaeger/api/operations",
  summary: "Operations of a service with their span kind",
  query: z.object({
    service: z.string({ error: "parameter 'service' is required" }).min(1, "parameter 'service' is required"),
    spanKind: z.union([z.literal(""), z.enum(SPAN_KINDS)]).optional(),
  }),
  response: envelope(z.array(z.object({ name: z.string(), spanKind: z.enum(SPAN_KINDS) }))),
});

export const jaegerTraces = defineEndpoint({
  ...jaeger,
  id: "jaegerTraces",
  path: "/jaeger/api/traces",
  summary: "Trace search (service required unless traceID is given)",
  query: z
    .object({
      traceID: repeatedParam(traceIdParam).optional().meta({ description: "repeatable: fetch these traces" }),
      service: blankAsAbsent(z.string()),
      operation: blankAsAbsent(z.string()),
      tags: blankAsAbsent(tagsJson).meta({ description: 'JSON object, e.g. {"http.status_code":"500"}' }),
      tag: repeatedParam(tagPair).optional().meta({ description: "key:value; repeatable" }),
      start: blankAsAbsent(micros).meta({ description: "microseconds since the epoch; default end - lookback" }),
      end: blankAsAbsent(micros).meta({ description: "microseconds since the epoch; default now" }),
      lookback: blankAsAbsent(goDurationUs(true)).meta({ description: "Go duration (1h, 2d) or `custom`; default 1h" }),
      minDuration: blankAsAbsent(goDurationUs()).meta({ description: "Go duration, e.g. 100ms" }),
      maxDuration: blankAsAbsent(goDurationUs()),
      limit: blankAsAbsent(positiveLimit).meta({
        description: `default 20; Jaeger has no upper bound, so a larger limit is accepted and answered with at most ${MAX_SEARCH_LIMIT} traces`,
      }),
    })
    .refine((q) => (q.traceID?.length ?? 0) > 0 || q.service !== undefined, {
      message: "parameter 'service' is required",
      path: ["service"],
    })
    .refine((q) => q.minDuration === undefined || q.maxDuration === undefined || q.minDuration <= q.maxDuration, {
      message: "minDuration must not be greater than maxDuration",
      path: ["minDuration"],
    })
    .refine((q) => q.start === undefined || q.end === undefined || q.start <= q.end, {
      message: "start must not be after end",
      path: ["start"],
    }),
  response: envelope(z.array(jaegerTraceSchema)),
});

export const jaegerTrace = defineEndpoint({
  ...jaeger,
  id: "jaegerTrace",
  path: "/jaeger/api/traces/:traceId",
  summary: "One trace (16 or 32 hex)",
  params: z.object({ traceId: traceIdParam }),
  response: envelope(z.array(jaegerTraceSchema)),
});

export const jaegerDependencies = defineEndpoint({
  ...jaeger,
  id: "jaegerDependencies",
  path: "/jaeger/api/dependencies",
  summary: "Dependency links from the service map (typed nodes by name, self-calls included)",
  query: z.object({
    endTs: blankAsAbsent(intInRange(0, MAX_US / 1000)).meta({ description: "epoch ms; default now" }),
    lookback: blankAsAbsent(intInRange(1, 366 * 86_400_000)).meta({ description: "ms; default 24 h" }),
  }),
  response: envelope(z.array(z.object({ parent: z.string(), child: z.string(), callCount: z.number() }))),
});
