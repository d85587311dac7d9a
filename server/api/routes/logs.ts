import "server-only";
import { z } from "zod";
import { chooseLogStepSeconds, decodeLogCursor, getLogHistogram, getLogs, getTraceLogs, type LogQuery } from "../../query";
import { SEVERITY_NAMES, severityFloor, type SeverityName } from "../../normalize";
import { badRequest, fromZodError } from "../errors";
import type { Route } from "../router";
import { optionalNumber, parseWindow } from "../time-window";

const SEVERITY_ALIASES: Record<string, SeverityName> = { warning: "warn", err: "error", critical: "fatal" };

/** `minSeverity`: a SeverityNumber 1..24 or a range name (trace, debug, info, warn, error, fatal). */
const minSeverity = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    if (/^\d+$/.test(v)) {
      const n = Number(v);
      if (n >= 1 && n <= 24) return n;
    } else {
      const name = v.toLowerCase();
      const known = (SEVERITY_NAMES as readonly string[]).includes(name) ? (name as SeverityName) : SEVERITY_ALIASES[name];
      if (known) return severityFloor(known);
    }
    ctx.addIssue({ code: "custom", message: `minSeverity must be 1..24 or one of ${SEVERITY_NAMES.join(", ")}; got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

const LogParams = z
  .object({
    service: z.string().min(1).max(256).optional(),
    minSeverity,
    q: z.string().max(1000, "q is at most 1000 characters").optional(),
    traceId: z.string().regex(/^[0-9a-fA-F]{32}$/, "traceId must be 32 hex characters").optional(),
    spanId: z.string().regex(/^[0-9a-fA-F]{16}$/, "spanId must be 16 hex characters").optional(),
  })
  .passthrough();

const limit = optionalNumber.refine((v) => v === undefined || (Number.isInteger(v) && v >= 1 && v <= 1000), "limit must be an integer 1..1000");
const step = optionalNumber.refine((v) => v === undefined || (Number.isInteger(v) && v >= 1 && v <= 86_400), "step must be an integer 1..86400 seconds");

/** The filters shared by the list and the histogram; `attr` may repeat. */
function parseLogQuery(query: URLSearchParams): LogQuery {
  const parsed = LogParams.safeParse(Object.fromEntries(query));
  if (!parsed.success) throw fromZodError(parsed.error, "query");
  const attributes = query.getAll("attr").map((a) => {
    const eq = a.indexOf("=");
    if (eq <= 0) throw badRequest(`attr=${JSON.stringify(a)} must look like key=value`);
    return { key: a.slice(0, eq), value: a.slice(eq + 1) };
  });
  if (attributes.length > 20) throw badRequest("at most 20 attr filters");
  const q = parsed.data;
  return {
    service: q.service,
    minSeverity: q.minSeverity,
    text: q.q !== undefined && q.q.trim() !== "" ? q.q : undefined,
    traceId: q.traceId,
    spanId: q.spanId,
    attributes,
  };
}

export const logRoutes: Route[] = [
  {
    method: "GET",
    path: "/api/v1/logs",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const filter = parseLogQuery(req.query);
      const extra = z.object({ limit, cursor: z.string().max(200).optional() }).passthrough().safeParse(Object.fromEntries(req.query));
      if (!extra.success) throw fromZodError(extra.error, "query");
      const cursor = extra.data.cursor ? decodeLogCursor(extra.data.cursor) : undefined;
      if (cursor === null) throw badRequest("cursor is not one this server returned as nextCursor; start again without it");
      return getLogs(ctx.telemetry, w, filter, extra.data.limit ?? 100, cursor);
    },
  },
  {
    method: "GET",
    path: "/api/v1/logs/histogram",
    handler: (req, ctx) => {
      const w = parseWindow(req.query, ctx.now());
      const filter = parseLogQuery(req.query);
      const extra = z.object({ step }).passthrough().safeParse(Object.fromEntries(req.query));
      if (!extra.success) throw fromZodError(extra.error, "query");
      const stepSeconds = extra.data.step ?? chooseLogStepSeconds(w);
      if ((w.toMs - w.fromMs) / 1000 / stepSeconds > 5000) throw badRequest("step too small for the window: at most 5000 bars");
      return getLogHistogram(ctx.telemetry, w, filter, stepSeconds);
    },
  },
  {
    method: "GET",
    path: "/api/v1/traces/:traceId/logs",
    handler: (req, ctx) => {
      const id = req.params.traceId!;
      if (!/^[0-9a-fA-F]{32}$/.test(id)) throw badRequest(`trace id ${JSON.stringify(id)} is not 32 hex characters`);
      return { traceId: id.toLowerCase(), logs: getTraceLogs(ctx.telemetry, id) };
    },
  },
];
