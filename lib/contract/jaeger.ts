import { z } from "zod";
import { repeatedParam } from "./common";
import { defineEndpoint } from "./endpoint";
import { SPAN_KINDS } from "./enums";

/**
 * Jaeger's query HTTP API under /jaeger/api (what Grafana's Jaeger data source and the Jaeger
 * UI call), in Jaeger's JSON model and envelope `{data, total, limit, offset, errors}`. Errors
 * are `[{code, msg}]` with the HTTP status in `code` and `data` null, as Jaeger answers them.
 */

const keyValue = z.object({ key: z.string(), type: z.enum(["string", "bool", "int64", "float64", "binary"]), value: z.union([z.string(), z.number(), z.boolean()]) });

export const jaegerTraceSchema = z
  .object({
    traceID: z.string(),
    spans: z.array(
      z.object({
        traceID: z.string(),
        spanID: z.string(),
        flags: z.number(),
        operationName: z.string(),
        references: z.array(z.object({ refType: z.enum(["CHILD_OF", "FOLLOWS_FROM"]), traceID: z.string(), spanID: z.string() })),
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

const micros = z.string().regex(/^\d+$/, "must be an integer number of microseconds");
const jaeger = { tag: "jaeger", method: "GET", errors: [404] } as const;
const traceIdParam = z.string().regex(/^[0-9a-fA-F]{1,32}$/, "is not a trace id (1 to 32 hex characters)");

export const jaegerServices = defineEndpoint({ ...jaeger, id: "jaegerServices", path: "/jaeger/api/services", summary: "Jaeger query API: service names (Grafana's Jaeger data source: URL http://<host>:3000/jaeger)", response: envelope(z.array(z.string())) });

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
  query: z.object({
    traceID: repeatedParam(traceIdParam).optional().meta({ description: "repeatable: fetch these traces" }),
    service: z.string().optional(),
    operation: z.string().optional(),
    tags: z.string().optional().meta({ description: 'JSON object, e.g. {"http.status_code":"500"}' }),
    tag: repeatedParam(z.string()).optional().meta({ description: "key:value; repeatable" }),
    start: micros.optional(),
    end: micros.optional(),
    lookback: z.string().optional().meta({ description: "Go duration (1h, 2d) or `custom`; default 1h" }),
    minDuration: z.string().optional().meta({ description: "Go duration, e.g. 100ms" }),
    maxDuration: z.string().optional(),
    limit: z.string().optional().meta({ description: "1..1000, default 20" }),
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
    endTs: z.string().optional().meta({ description: "epoch ms; default now" }),
    lookback: z.string().optional().meta({ description: "ms; default 24 h" }),
  }),
  response: envelope(z.array(z.object({ parent: z.string(), child: z.string(), callCount: z.number() }))),
});

