import "server-only";
import { z } from "zod";
import { contract } from "../../../lib/contract";
import { getJaegerDependencies, getJaegerTrace, listJaegerOperations, listJaegerServices, searchJaegerTraces } from "../../query";
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
  const fields = e instanceof ApiError ? (e.details as { fields?: { path: string; message: string }[] } | undefined)?.fields : undefined;
  // A contract violation reads as Jaeger's own messages do: the parameter, then what is wrong.
  const msg = fields ? fields.map((f) => (f.message.includes(f.path) ? f.message : `${f.path}: ${f.message}`)).join("; ") : e instanceof Error ? e.message : String(e);
  return reply(status, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] });
}

const asJaeger = { mapError: jaegerError };

const UNITS: Record<string, number> = { ns: 0.001, us: 1, "µs": 1, "μs": 1, ms: 1000, s: 1e6, m: 60e6, h: 3600e6, d: 86_400e6 };
const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h|d)/;

/** A Go duration string (`1.5s`, `100ms`, `1h30m`; Jaeger's UI also sends `2d`) → microseconds. */
export function parseDurationUs(text: string, param: string): number {
  let rest = text.trim();
  let total = 0;
  if (rest === "") throw badRequest(`${param}: empty duration`);
  while (rest !== "") {
    const m = DURATION.exec(rest);
    if (!m) throw badRequest(`${param}: ${JSON.stringify(text)} is not a duration such as 100ms, 1.5s, 2m or 1h`);
    total += Number(m[1]) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function intParam(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(`${name}: ${JSON.stringify(v)} must be an integer in ${min}..${max}`);
  return Number(v);
}

/** Tags as Jaeger takes them: `tags={"k":"v"}` (JSON object) and/or repeated `tag=k:v`. */
export function parseTags(q: { tags?: string; tag?: string[] }): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const json = q.tags;
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      throw badRequest(`tags: ${JSON.stringify(json)} is not a JSON object such as {"http.status_code":"500"}`);
    }
    const r = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).safeParse(parsed);
    if (!r.success) throw badRequest(`tags: must be a JSON object of string values, such as {"http.status_code":"500"}`);
    for (const [key, value] of Object.entries(r.data)) out.push({ key, value: String(value) });
  }
  for (const t of q.tag ?? []) {
    const i = t.indexOf(":");
    if (i <= 0) throw badRequest(`tag: ${JSON.stringify(t)} must look like key:value`);
    out.push({ key: t.slice(0, i), value: t.slice(i + 1) });
  }
  return out;
}

const MAX_US = 4_102_444_800_000_000; // 2100-01-01

type TraceQuery = RouteInput<typeof contract.jaegerTraces>["query"];

async function findTraces(q: TraceQuery, ctx: ApiContext) {
  if (q.traceID && q.traceID.length > 0) return (await Promise.all(q.traceID.map((id) => getJaegerTrace(ctx.telemetry, id)))).filter((t) => t !== null);
  if (!q.service) throw badRequest("parameter 'service' is required");
  const nowUs = ctx.now() * 1000;
  const endUs = intParam(q.end, "end", 0, MAX_US) ?? nowUs;
  const lookbackUs = q.lookback && q.lookback !== "custom" ? parseDurationUs(q.lookback, "lookback") : 3600e6;
  const startUs = intParam(q.start, "start", 0, MAX_US) ?? endUs - lookbackUs;
  if (startUs > endUs) throw badRequest(`start (${startUs}) must not be after end (${endUs})`);
  const minDurationUs = q.minDuration ? parseDurationUs(q.minDuration, "minDuration") : undefined;
  const maxDurationUs = q.maxDuration ? parseDurationUs(q.maxDuration, "maxDuration") : undefined;
  if (minDurationUs !== undefined && maxDurationUs !== undefined && minDurationUs > maxDurationUs) {
    throw badRequest("minDuration must not be greater than maxDuration");
  }
  return searchJaegerTraces(ctx.telemetry, {
    service: q.service,
    operation: q.operation || undefined,
    tags: parseTags(q),
    startUs,
    endUs,
    minDurationUs,
    maxDurationUs,
    limit: intParam(q.limit, "limit", 1, 1000) ?? 20,
  });
}

/** Jaeger's query API (see lib/contract/jaeger.ts). */
export const jaegerRoutes: Route[] = [
  route(contract.jaegerServices, async (_in, ctx) => envelope(await listJaegerServices(ctx.telemetry)), asJaeger),
  route(
    contract.jaegerServiceOperations,
    async ({ params }, ctx) => envelope((await listJaegerOperations(ctx.telemetry, params.service)).map((o) => o.name).filter((n, i, a) => a.indexOf(n) === i)),
    asJaeger,
  ),
  route(contract.jaegerOperations, async ({ query }, ctx) => envelope(await listJaegerOperations(ctx.telemetry, query.service, query.spanKind || undefined)), asJaeger),
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
      const endTs = intParam(query.endTs, "endTs", 0, MAX_US / 1000) ?? ctx.now();
      const lookback = intParam(query.lookback, "lookback", 1, 366 * 86_400_000) ?? 86_400_000;
      return envelope(await getJaegerDependencies(ctx.telemetry, endTs, lookback, ctx.now()));
    },
    asJaeger,
  ),
];
