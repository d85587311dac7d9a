import "server-only";
import { z } from "zod";
import { fromZodError, badRequest } from "../errors";
import type { Route } from "../router";
import { parseWindow } from "../time-window";
import { getServiceMap, getServiceMapDiff, getTraceServiceMap, rebuildServiceMap } from "../../query";
import { notFound } from "../errors";
import { withSpan } from "../../platform/self-tracing";

const depthParam = z
  .string()
  .regex(/^\d+$/, "depth must be a whole number of hops")
  .transform(Number)
  .pipe(z.number().int().min(1, "depth must be at least 1").max(10, "depth must be at most 10"))
  .optional();

const MapParams = z.object({
  focus: z.string().min(1, "focus must be a node id such as service:checkout").max(1000).optional(),
  depth: depthParam,
  /** Per-trace map, rebuilt from the trace's stored spans. */
  traceId: z.string().regex(/^[0-9a-f]{32}$/, "traceId must be 32 lowercase hex characters").optional(),
  /** `rollup` (default): per-minute rollups; `rebuild`: pair the window's stored spans again (tier 2). */
  source: z.enum(["rollup", "rebuild"]).optional(),
});

function readMapParams(q: URLSearchParams) {
  const parsed = MapParams.safeParse({
    focus: q.get("focus") ?? undefined,
    depth: q.get("depth") ?? undefined,
    traceId: q.get("traceId") ?? undefined,
    source: q.get("source") ?? undefined,
  });
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  if (parsed.data.depth !== undefined && parsed.data.focus === undefined) {
    throw badRequest("depth needs focus: pass focus=<node id> (e.g. service:checkout) with depth");
  }
  return parsed.data;
}

/** GET /api/v1/service-map and /api/v1/service-map/diff (API.md "Service map"). */
export const serviceMapRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/v1/service-map",
    handler: (req, ctx) => {
      const [window, { focus, depth, traceId, source }] = withSpan("query.parse", {}, () => [parseWindow(req.query, ctx.now()), readMapParams(req.query)] as const);
      if (traceId) {
        const map = getTraceServiceMap(ctx.telemetry, traceId);
        if (!map) throw notFound(`trace ${traceId} is not stored (unknown, or past raw-span retention)`);
        return map;
      }
      if (source === "rebuild") return rebuildServiceMap(ctx.telemetry, { ...window, focus, depth });
      return getServiceMap(ctx.telemetry, { ...window, focus, depth });
    },
  },
  {
    method: "GET",
    path: "/api/v1/service-map/diff",
    handler: (req, ctx) => {
      const now = ctx.now();
      const window = parseWindow(req.query, now);
      const hasBaseline = req.query.has("baselineFrom") || req.query.has("baselineTo");
      // Default baseline: the window of the same length just before.
      const baseline = hasBaseline
        ? parseWindow(req.query, now, { from: "baselineFrom", to: "baselineTo" })
        : { fromMs: 2 * window.fromMs - window.toMs, toMs: window.fromMs };
      if (hasBaseline && (!req.query.has("baselineFrom") || !req.query.has("baselineTo"))) {
        throw badRequest("pass both baselineFrom and baselineTo, or neither (the baseline is then the preceding window of equal length)");
      }
      return getServiceMapDiff(ctx.telemetry, window, baseline);
    },
  },
];
