import "server-only";
import { contract } from "../../../lib/contract";
import {
  getJaegerDependencies,
  getJaegerTrace,
  listJaegerOperations,
  listJaegerServices,
  searchJaegerTraces,
} from "../../query";
import type { ApiContext } from "../context";
import { ApiError, badRequest, notFound } from "../errors";
import { route, type RouteInput } from "../route";
import { reply, type Reply, type Route } from "../router";

/**
 * Jaeger's query HTTP API under /jaeger/api (what Grafana's Jaeger data source and the Jaeger
 * UI call), answering in Jaeger's envelope `{data, total, limit, offset, errors}`: errors are
 * `[{code, msg}]` with the HTTP status in `code`, `data` null, as Jaeger answers them.
 */

function envelope<T>(data: T[], total = data.length) {
  return { data, total, limit: 0, offset: 0, errors: null };
}

/** Jaeger's error envelope, for a parse error or a handler's error alike. */
function jaegerError(e: unknown, ctx: ApiContext): Reply {
  const status = e instanceof ApiError ? e.status : /SQLITE_BUSY|locked/i.test(String(e)) ? 503 : 500;
  if (!(e instanceof ApiError)) ctx.log.error("jaeger api request failed", { error: String(e) });
  const fields =
    e instanceof ApiError
      ? (e.details as { fields?: { path: string; message: string }[] } | undefined)?.fields
      : undefined;
  // A contract violation reads as Jaeger's own messages do: the parameter, then what is wrong.
  const msg = fields
    ? fields.map((f) => (f.message.includes(f.path) ? f.message : `${f.path}: ${f.message}`)).join("; ")
    : e instanceof Error
      ? e.message
      : String(e);
  return reply(status, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] });
}

const asJaeger = { mapError: jaegerError };

type TraceQuery = RouteInput<typeof contract.jaegerTraces>["query"];

/** Jaeger's defaults: end now, start an hour (or `lookback`) before. */
async function findTraces(q: TraceQuery, ctx: ApiContext) {
  if (q.traceID && q.traceID.length > 0)
    return (await Promise.all(q.traceID.map((id) => getJaegerTrace(ctx.telemetry, id)))).filter((t) => t !== null);
  const endUs = q.end ?? ctx.now() * 1000;
  const startUs = q.start ?? endUs - (q.lookback ?? 3600e6);
  if (startUs > endUs) throw badRequest(`start (${startUs}) must not be after end (${endUs})`);
  return searchJaegerTraces(ctx.telemetry, {
    // The contract requires service when no traceID is given.
    service: q.service!,
    operation: q.operation,
    tags: [...(q.tags ?? []), ...(q.tag ?? [])],
    startUs,
    endUs,
    minDurationUs: q.minDuration,
    maxDurationUs: q.maxDuration,
    limit: q.limit ?? 20,
  });
}

/** Jaeger's query API (see lib/contract/jaeger.ts). */
export const jaegerRoutes: Route[] = [
  route(contract.jaegerServices, async (_in, ctx) => envelope(await listJaegerServices(ctx.telemetry)), asJaeger),
  route(
    contract.jaegerServiceOperations,
    async ({ params }, ctx) =>
      envelope(
        (await listJaegerOperations(ctx.telemetry, params.service))
          .map((o) => o.name)
          .filter((n, i, a) => a.indexOf(n) === i),
      ),
    asJaeger,
  ),
  route(
    contract.jaegerOperations,
    async ({ query }, ctx) =>
      envelope(await listJaegerOperations(ctx.telemetry, query.service, query.spanKind || undefined)),
    asJaeger,
  ),
  route(contract.jaegerTraces, async ({ query }, ctx) => envelope(await findTraces(query, ctx)), asJaeger),
  route(
    contract.jaegerTrace,
    async ({ params }, ctx) => {
      const trace = await getJaegerTrace(ctx.telemetry, params.traceId);
      if (!trace) throw notFound("trace not found");
      return envelope([trace]);
    },
    asJaeger,
  ),
  route(
    contract.jaegerDependencies,
    async ({ query }, ctx) => {
      const endTs = query.endTs ?? ctx.now();
      return envelope(await getJaegerDependencies(ctx.telemetry, endTs, query.lookback ?? 86_400_000, ctx.now()));
    },
    asJaeger,
  ),
];
