import "server-only";
import { contract } from "../../../lib/contract";
import {
  edgeExists,
  getEdgeTimeseries,
  getServiceMap,
  getServiceMapDiff,
  getTraceServiceMap,
  LayoutUnavailableError,
  rebuildServiceMap,
  summarizeServiceMap,
} from "../../query";
import { ApiError, notFound } from "../errors";
import { checkSteps } from "./telemetry";
import { route } from "../route";
import type { Route } from "../router";
import { maxWindowMs, resolveWindow } from "../time-window";

/** GET /api/v1/service-map (and its summary), /api/v1/service-map/diff, one edge's history; POST a map's layout. */
export const serviceMapRoutes: Route[] = [
  route(contract.getServiceMap, async ({ query, window }, ctx) => {
    const { focus, depth, traceId, source, environment, namespace } = query;
    const scope = { environment, namespace };
    if (traceId) {
      const map = await getTraceServiceMap(ctx.telemetry, traceId);
      if (!map) throw notFound(`trace ${traceId} is not stored (unknown, or past raw-span retention)`);
      return map;
    }
    if (source === "rebuild") return rebuildServiceMap(ctx.telemetry, { ...window, focus, depth, scope });
    return getServiceMap(ctx.telemetry, { ...window, focus, depth, scope });
  }),
  // The UI's map: the same read, fewer fields (less to serialize, send and parse on a first visit).
  route(contract.getServiceMapSummary, async ({ query, window }, ctx) => {
    const { focus, depth, environment, namespace } = query;
    const map = await getServiceMap(ctx.telemetry, { ...window, focus, depth, scope: { environment, namespace } });
    return summarizeServiceMap(map);
  }),
  route(contract.getServiceMapDiff, ({ query, window }, ctx) => {
    // Default baseline: the window of the same length just before.
    const baseline =
      query.baselineFrom !== undefined
        ? resolveWindow(query.baselineFrom, query.baselineTo, ctx.now(), {
            names: { from: "baselineFrom", to: "baselineTo" },
            maxWindowMs: maxWindowMs(ctx.config),
          })
        : { fromMs: 2 * window.fromMs - window.toMs, toMs: window.fromMs };
    return getServiceMapDiff(ctx.telemetry, window, baseline, {
      environment: query.environment,
      namespace: query.namespace,
    });
  }),
  route(contract.getEdgeTimeseries, async ({ params, query, window }, ctx) => {
    const { source, target } = params;
    if (!(await edgeExists(ctx.telemetry, source, target))) {
      throw notFound(
        `no edge ${source} -> ${target} is recorded; take both node ids from /api/v1/service-map and percent-encode them`,
      );
    }
    if (query.step) checkSteps(window, query.step);
    return { source, target, ...(await getEdgeTimeseries(ctx.telemetry, source, target, window, query.step)) };
  }),
  // A read that sends its topology in the body: viewers may ask; ELK runs in the layout thread.
  route(
    contract.layoutServiceMap,
    async ({ body }, ctx) => {
      if (!ctx.layout) throw new ApiError(503, "layout-unavailable", "map layout is not available in this process");
      try {
        return await ctx.layout.layout(body);
      } catch (e) {
        if (e instanceof LayoutUnavailableError) {
          throw new ApiError(503, "layout-unavailable", e.message, undefined, { "retry-after": "2" });
        }
        throw e;
      }
    },
    { access: "viewer" },
  ),
];
