import "server-only";
import { z } from "zod";
import { getOperations, getServices, getServiceTimeseries, getTrace, listMetrics, queryMetric, searchTraces, serviceExists, chooseStepSeconds } from "../../query";
import { fromZodError, notFound, badRequest } from "../errors";
import type { Route } from "../router";
import { optionalNumber, parseWindow } from "../time-window";

function parseQuery<T extends z.ZodTypeAny>(schema: T, q: URLSearchParams): z.infer<T> {
  const parsed = schema.safeParse(Object.fromEntries(q));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  return parsed.data;
}

const step = optionalNumber.refine((v) => v === undefined || (v >= 1 && v <= 86_400), "step must be 1..86400 seconds");
const TraceQuery = z.object({
  service: z.string().min(1).optional(),
  operation: z.string().min(1).optional(),
  status: z.enum(["error", "ok"]).optional(),
  minDurationMs: optionalNumber.refine((v) => v === undefined || v >= 0, "must be >= 0"),
  maxDurationMs: optionalNumber.refine((v) => v === undefined || v >= 0, "must be >= 0"),
  attr: z.string().regex(/^[^=]+=.*$/, "attr must look like key=value").optional(),
  limit: optionalNumber.refine((v) => v === undefined || (Number.isInteger(v) && v >= 1 && v <= 1000), "limit must be an integer 1..1000"),
});
const AGGREGATIONS = ["avg", "max", "min", "sum", "last", "rate", "increase", "p50", "p90", "p95", "p99", "count"] as const;

function requireService(ctx: Parameters<Route["handler"]>[1], name: string): void {
  if (!serviceExists(ctx.telemetry, name)) throw notFound(`no service named ${JSON.stringify(name)} has sent telemetry`);
}

export const telemetryRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/v1/services",
    handler: (req, ctx) => ({ services: getServices(ctx.telemetry, parseWindow(req.query, ctx.now())) }),
  },
  {
    method: "GET",
    path: "/api/v1/services/:name/operations",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      requireService(ctx, req.params.name!);
      return { service: req.params.name, operations: getOperations(ctx.telemetry, req.params.name!, w) };
    },
  },
  {
    method: "GET",
    path: "/api/v1/services/:name/timeseries",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const q = parseQuery(z.object({ step, operation: z.string().min(1).optional() }).passthrough(), req.query);
      requireService(ctx, req.params.name!);
      if (q.step && (w.toMs - w.fromMs) / 1000 / q.step > 5000) throw badRequest("step too small for the window: at most 5000 points");
      return { service: req.params.name, ...getServiceTimeseries(ctx.telemetry, req.params.name!, w, q.step, q.operation) };
    },
  },
  {
    method: "GET",
    path: "/api/v1/traces",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const q = parseQuery(TraceQuery.passthrough(), req.query);
      if (q.minDurationMs !== undefined && q.maxDurationMs !== undefined && q.minDurationMs > q.maxDurationMs) {
        throw badRequest("minDurationMs must not be greater than maxDurationMs");
      }
      const attr = q.attr ? { key: q.attr.slice(0, q.attr.indexOf("=")), value: q.attr.slice(q.attr.indexOf("=") + 1) } : undefined;
      return { traces: searchTraces(ctx.telemetry, w, { ...q, attr, limit: q.limit ?? 50 }) };
    },
  },
  {
    method: "GET",
    path: "/api/v1/traces/:traceId",
    handler: (req, ctx) => {
      const id = req.params.traceId!;
      if (!/^[0-9a-fA-F]{32}$/.test(id)) throw badRequest(`trace id ${JSON.stringify(id)} is not 32 hex characters`);
      const trace = getTrace(ctx.telemetry, id);
      if (!trace) throw notFound(`trace ${id} not found (unknown, or older than the raw-span retention)`);
      return trace;
    },
  },
  {
    method: "GET",
    path: "/api/v1/metrics",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const q = parseQuery(z.object({ service: z.string().min(1).optional() }).passthrough(), req.query);
      return { metrics: listMetrics(ctx.telemetry, w, q.service) };
    },
  },
  {
    method: "GET",
    path: "/api/v1/metrics/query",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const q = parseQuery(
        z.object({ service: z.string().min(1), name: z.string().min(1), step, agg: z.enum(AGGREGATIONS).optional() }).passthrough(),
        req.query,
      );
      const stepSeconds = q.step ?? chooseStepSeconds(w);
      if ((w.toMs - w.fromMs) / 1000 / stepSeconds > 5000) throw badRequest("step too small for the window: at most 5000 points");
      const result = queryMetric(ctx.telemetry, { service: q.service, name: q.name, window: w, stepSeconds, aggregation: q.agg });
      if (!result) throw notFound(`service ${JSON.stringify(q.service)} has no metric ${JSON.stringify(q.name)}`);
      return result;
    },
  },
];
