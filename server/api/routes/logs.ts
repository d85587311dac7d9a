import "server-only";
import { contract } from "../../../lib/contract";
import { chooseLogStepSeconds, getLogHistogram, getLogs, getTraceLogs, isLogCursor, type LogQuery } from "../../query";
import { badRequest } from "../errors";
import { route } from "../route";
import type { Route } from "../router";

/** The filters shared by the list and the histogram, as the store takes them. */
function toLogQuery(q: {
  service?: string;
  minSeverity?: number;
  q?: string;
  traceId?: string;
  spanId?: string;
  attr?: { key: string; value: string }[];
}): LogQuery {
  return {
    service: q.service,
    minSeverity: q.minSeverity,
    text: q.q !== undefined && q.q.trim() !== "" ? q.q : undefined,
    traceId: q.traceId,
    spanId: q.spanId,
    attributes: q.attr ?? [],
  };
}

/** Log search, histogram and the logs of a trace (API.md "Logs"). */
export const logRoutes: Route[] = [
  route(contract.searchLogs, ({ query, window }, ctx) => {
    const cursor = query.cursor || undefined;
    if (cursor !== undefined && !isLogCursor(ctx.telemetry, cursor))
      throw badRequest("cursor is not one this server returned as nextCursor; start again without it");
    return getLogs(ctx.telemetry, window, toLogQuery(query), query.limit ?? 100, cursor);
  }),
  route(contract.getLogHistogram, ({ query, window }, ctx) => {
    const stepSeconds = query.step ?? chooseLogStepSeconds(window);
    if ((window.toMs - window.fromMs) / 1000 / stepSeconds > 5000)
      throw badRequest("step too small for the window: at most 5000 bars");
    return getLogHistogram(ctx.telemetry, window, toLogQuery(query), stepSeconds);
  }),
  route(contract.getTraceLogs, async ({ params }, ctx) => ({
    traceId: params.traceId.toLowerCase(),
    logs: await getTraceLogs(ctx.telemetry, params.traceId),
  })),
];
