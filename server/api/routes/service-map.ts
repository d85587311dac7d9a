import "server-only";
import { contract } from "../../../lib/contract";
import { getServiceMap, getServiceMapDiff, getTraceServiceMap, rebuildServiceMap } from "../../query";
import { notFound } from "../errors";
import { route } from "../route";
import type { Route } from "../router";
import { maxWindowMs, resolveWindow } from "../time-window";

/** GET /api/v1/service-map and /api/v1/service-map/diff (API.md "Service map"). */
export const serviceMapRoutes: Route[] = [
  route(contract.getServiceMap, ({ query, window }, ctx) => {
    const { focus, depth, traceId, source } = query;
    if (traceId) {
      const map = getTraceServiceMap(ctx.telemetry, traceId);
      if (!map) throw notFound(`trace ${traceId} is not stored (unknown, or past raw-span retention)`);
      return map;
    }
    if (source === "rebuild") return rebuildServiceMap(ctx.telemetry, { ...window, focus, depth });
    return getServiceMap(ctx.telemetry, { ...window, focus, depth });
  }),
  route(contract.getServiceMapDiff, ({ query, window }, ctx) => {
    // Default baseline: the window of the same length just before.
    const baseline =
      query.baselineFrom !== undefined
        ? resolveWindow(query.baselineFrom, query.baselineTo, ctx.now(), { names: { from: "baselineFrom", to: "baselineTo" }, maxWindowMs: maxWindowMs(ctx.config) })
        : { fromMs: 2 * window.fromMs - window.toMs, toMs: window.fromMs };
    return getServiceMapDiff(ctx.telemetry, window, baseline);
  }),
];
