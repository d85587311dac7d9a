import "server-only";
import { contract, METRIC_LIST_DEFAULT, TRACE_PAGE_DEFAULT } from "../../../lib/contract";
import {
  getOperations,
  getServices,
  getServiceTimeseries,
  getTrace,
  listMetrics,
  queryMetric,
  searchTraces,
  serviceExists,
  chooseStepSeconds,
} from "../../query";
import type { ApiContext } from "../context";
import { notFound, badRequest } from "../errors";
import { route } from "../route";
import type { Route } from "../router";
import type { TimeWindow } from "../time-window";

async function requireService(ctx: ApiContext, name: string): Promise<void> {
  if (!(await serviceExists(ctx.telemetry, name)))
    throw notFound(`no service named ${JSON.stringify(name)} has sent telemetry`);
}

/** Bounds the answer's size: at most 5000 steps per series. */
export function checkSteps(w: TimeWindow, stepSeconds: number): void {
  if ((w.toMs - w.fromMs) / 1000 / stepSeconds > 5000)
    throw badRequest("step too small for the window: at most 5000 points");
}

/** Services, operations, RED time series, traces and OTLP metrics (API.md). */
export const telemetryRoutes: Route[] = [
  route(contract.getServices, async ({ query, window }, ctx) => ({
    services: await getServices(ctx.telemetry, window, { environment: query.environment, namespace: query.namespace }),
  })),
  route(contract.getOperations, async ({ params, query, window }, ctx) => {
    await requireService(ctx, params.name);
    return {
      service: params.name,
      operations: await getOperations(ctx.telemetry, params.name, window, query.environment),
    };
  }),
  route(contract.getServiceTimeseries, async ({ params, query, window }, ctx) => {
    await requireService(ctx, params.name);
    if (query.step) checkSteps(window, query.step);
    return {
      service: params.name,
      ...(await getServiceTimeseries(
        ctx.telemetry,
        params.name,
        window,
        query.step,
        query.operation,
        query.environment,
      )),
    };
  }),
  route(contract.searchTraces, async ({ query, window }, ctx) => ({
    traces: await searchTraces(ctx.telemetry, window, { ...query, limit: query.limit ?? 50 }),
  })),
  route(contract.getTrace, async ({ params, query }, ctx) => {
    const trace = await getTrace(ctx.telemetry, params.traceId, {
      limit: query.limit ?? TRACE_PAGE_DEFAULT,
      cursor: query.cursor,
    });
    if (!trace) throw notFound(`trace ${params.traceId} not found (unknown, or older than the raw-span retention)`);
    return trace;
  }),
  route(contract.listMetrics, async ({ query, window }, ctx) => ({
    ...(await listMetrics(ctx.telemetry, window, {
      service: query.service,
      limit: query.limit ?? METRIC_LIST_DEFAULT,
    })),
  })),
  route(contract.queryMetric, async ({ query, window }, ctx) => {
    const stepSeconds = query.step ?? chooseStepSeconds(window);
    checkSteps(window, stepSeconds);
    const result = await queryMetric(ctx.telemetry, {
      service: query.service,
      name: query.name,
      window,
      stepSeconds,
      aggregation: query.agg,
    });
    if (!result) throw notFound(`service ${JSON.stringify(query.service)} has no metric ${JSON.stringify(query.name)}`);
    return result;
  }),
];
