import "server-only";
import { z } from "zod";
import { getJaegerDependencies, getJaegerTrace, JAEGER_SPAN_KINDS, listJaegerOperations, listJaegerServices, searchJaegerTraces } from "../../query";
import { ApiError, badRequest, notFound } from "../errors";
import { reply, type Route, type RouteRequest } from "../router";
import type { ApiContext } from "../context";

/**
 * Jaeger's query HTTP API under /jaeger/api (what Grafana's Jaeger data source and the Jaeger
 * UI call), answering in Jaeger's envelope `{data, total, limit, offset, errors}`: errors are
 * `[{code, msg}]` with the HTTP status in `code`, `data` null, as Jaeger answers them.
 */
const PREFIX = "/jaeger/api";

function envelope(data: unknown, total = Array.isArray(data) ? data.length : 0) {
  return { data, total, limit: 0, offset: 0, errors: null };
}

function jaegerRoute(path: string, handler: (req: RouteRequest, ctx: ApiContext) => unknown): Route {
  return {
    method: "GET",
    path: PREFIX + path,
    handler: (req, ctx) => {
      try {
        return envelope(handler(req, ctx));
      } catch (e) {
        const status = e instanceof ApiError ? e.status : /SQLITE_BUSY|locked/i.test(String(e)) ? 503 : 500;
        if (!(e instanceof ApiError)) ctx.log.error("jaeger api request failed", { error: String(e) });
        const msg = e instanceof Error ? e.message : String(e);
        return reply(status, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: status, msg }] });
      }
    },
  };
}

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

function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw badRequest(`${name}: ${JSON.stringify(v)} must be an integer in ${min}..${max}`);
  return Number(v);
}

/** Tags as Jaeger takes them: `tags={"k":"v"}` (JSON object) and/or repeated `tag=k:v`. */
export function parseTags(q: URLSearchParams): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  const json = q.get("tags");
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
  for (const t of q.getAll("tag")) {
    const i = t.indexOf(":");
    if (i <= 0) throw badRequest(`tag: ${JSON.stringify(t)} must look like key:value`);
    out.push({ key: t.slice(0, i), value: t.slice(i + 1) });
  }
  return out;
}

const MAX_US = 4_102_444_800_000_000; // 2100-01-01
const HEX_ID = /^[0-9a-fA-F]{1,32}$/;

function requireService(q: URLSearchParams): string {
  const service = q.get("service");
  if (!service) throw badRequest("parameter 'service' is required");
  return service;
}

function findTraces(req: RouteRequest, ctx: ApiContext) {
  const q = req.query;
  const ids = q.getAll("traceID");
  if (ids.length > 0) {
    for (const id of ids) if (!HEX_ID.test(id)) throw badRequest(`traceID: ${JSON.stringify(id)} is not a trace id (1 to 32 hex characters)`);
    return ids.map((id) => getJaegerTrace(ctx.telemetry, id)).filter((t) => t !== null);
  }
  const service = requireService(q);
  const nowUs = ctx.now() * 1000;
  const endUs = intParam(q, "end", 0, MAX_US) ?? nowUs;
  const lookback = q.get("lookback");
  const lookbackUs = lookback && lookback !== "custom" ? parseDurationUs(lookback, "lookback") : 3600e6;
  const startUs = intParam(q, "start", 0, MAX_US) ?? endUs - lookbackUs;
  if (startUs > endUs) throw badRequest(`start (${startUs}) must not be after end (${endUs})`);
  const minDuration = q.get("minDuration");
  const maxDuration = q.get("maxDuration");
  const minDurationUs = minDuration ? parseDurationUs(minDuration, "minDuration") : undefined;
  const maxDurationUs = maxDuration ? parseDurationUs(maxDuration, "maxDuration") : undefined;
  if (minDurationUs !== undefined && maxDurationUs !== undefined && minDurationUs > maxDurationUs) {
    throw badRequest("minDuration must not be greater than maxDuration");
  }
  const operation = q.get("operation") || undefined;
  return searchJaegerTraces(ctx.telemetry, {
    service,
    operation,
    tags: parseTags(q),
    startUs,
    endUs,
    minDurationUs,
    maxDurationUs,
    limit: intParam(q, "limit", 1, 1000) ?? 20,
  });
}

export const jaegerRoutes: Route[] = [
  jaegerRoute("/services", (_req, ctx) => listJaegerServices(ctx.telemetry)),
  jaegerRoute("/services/:service/operations", (req, ctx) => listJaegerOperations(ctx.telemetry, req.params.service!).map((o) => o.name).filter((n, i, a) => a.indexOf(n) === i)),
  jaegerRoute("/operations", (req, ctx) => {
    const service = requireService(req.query);
    const kind = req.query.get("spanKind") || undefined;
    if (kind !== undefined && !JAEGER_SPAN_KINDS.includes(kind as never)) {
      throw badRequest(`spanKind: ${JSON.stringify(kind)} must be one of ${JAEGER_SPAN_KINDS.join(", ")}`);
    }
    return listJaegerOperations(ctx.telemetry, service, kind as (typeof JAEGER_SPAN_KINDS)[number] | undefined);
  }),
  jaegerRoute("/traces", findTraces),
  jaegerRoute("/traces/:traceId", (req, ctx) => {
    const id = req.params.traceId!;
    if (!HEX_ID.test(id)) throw badRequest(`trace id ${JSON.stringify(id)} is not 1 to 32 hex characters`);
    const trace = getJaegerTrace(ctx.telemetry, id);
    if (!trace) throw notFound("trace not found");
    return [trace];
  }),
  jaegerRoute("/dependencies", (req, ctx) => {
    const q = req.query;
    const endTs = intParam(q, "endTs", 0, MAX_US / 1000) ?? ctx.now();
    const lookback = intParam(q, "lookback", 1, 366 * 86_400_000) ?? 86_400_000;
    return getJaegerDependencies(ctx.telemetry, endTs, lookback, ctx.now());
  }),
];
