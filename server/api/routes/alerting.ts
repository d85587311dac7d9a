import "server-only";
import { z } from "zod";
import type { Route } from "../router";
import { reply } from "../router";
import type { ApiContext } from "../context";
import { ApiError, fromZodError, notFound } from "../errors";
import { parseWindow } from "../time-window";
import { getAlerting, ruleDefinitionSchema, silenceInputSchema, channelInputSchema, type AlertingService } from "../../alerting";

/**
 * Alerting API (shapes in server/alerting/API.md): rules, preview, alert instances, history,
 * silences, notification channels. Bodies are validated with zod; errors carry details.fields.
 */
function svc(ctx: ApiContext): AlertingService {
  const s = (ctx as ApiContext & { alerting?: AlertingService }).alerting ?? getAlerting()?.service;
  if (!s) throw new ApiError(503, "alerting-unavailable", "alerting is not running in this process");
  return s;
}

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw fromZodError(r.error, what);
  return r.data;
}

const STATES = ["pending", "firing", "resolved", "nodata", "error"];
const previewSchema = z.object({ rule: z.unknown(), from: z.union([z.number(), z.string()]).optional(), to: z.union([z.number(), z.string()]).optional() });

export const alertingRoutes: Route[] = [
  { method: "GET", path: "/api/v1/alert-rules", handler: async (_q, ctx) => ({ rules: await svc(ctx).listRules() }) },
  {
    method: "POST",
    path: "/api/v1/alert-rules",
    handler: async (req, ctx) => reply(201, await svc(ctx).createRule(parse(ruleDefinitionSchema, req.body, "rule"))),
  },
  {
    method: "POST",
    path: "/api/v1/alert-rules/preview",
    handler: async (req, ctx) => {
      const p = parse(previewSchema, req.body, "preview");
      const rule = parse(ruleDefinitionSchema, p.rule, "rule");
      const q = new URLSearchParams();
      if (p.from !== undefined) q.set("from", String(p.from));
      if (p.to !== undefined) q.set("to", String(p.to));
      if (p.from === undefined) q.set("from", String(ctx.now() - 3600_000));
      const w = parseWindow(q, ctx.now());
      return svc(ctx).preview(rule, w.fromMs, w.toMs);
    },
  },
  {
    method: "GET",
    path: "/api/v1/alert-rules/:id",
    handler: async (req, ctx) => (await svc(ctx).getRule(req.params.id!)) ?? Promise.reject(notFound(`no alert rule ${req.params.id}`)),
  },
  {
    method: "PUT",
    path: "/api/v1/alert-rules/:id",
    handler: async (req, ctx) => {
      const def = parse(ruleDefinitionSchema, req.body, "rule");
      return (await svc(ctx).updateRule(req.params.id!, def)) ?? Promise.reject(notFound(`no alert rule ${req.params.id}`));
    },
  },
  {
    method: "DELETE",
    path: "/api/v1/alert-rules/:id",
    handler: async (req, ctx) => ((await svc(ctx).deleteRule(req.params.id!)) ? reply(200, { deleted: req.params.id }) : Promise.reject(notFound(`no alert rule ${req.params.id}`))),
  },
  {
    method: "GET",
    path: "/api/v1/alerts",
    handler: async (req, ctx) => {
      const raw = req.query.get("state");
      const states = raw ? raw.split(",") : undefined;
      const bad = states?.find((s) => !STATES.includes(s));
      if (bad) throw new ApiError(400, "bad-request", `state=${JSON.stringify(bad)} is not one of ${STATES.join(", ")}`);
      return { alerts: await svc(ctx).listAlerts(states) };
    },
  },
  {
    method: "GET",
    path: "/api/v1/alerts/history",
    handler: async (req, ctx) => {
      const q = new URLSearchParams(req.query);
      if (!q.get("from")) q.set("from", String(ctx.now() - 24 * 3600_000));
      const w = parseWindow(q, ctx.now());
      const limit = Math.min(1000, Math.max(1, Number(req.query.get("limit") ?? 200) || 200));
      return { history: await svc(ctx).history({ ruleId: req.query.get("ruleId") ?? undefined, fromMs: w.fromMs, toMs: w.toMs, limit }) };
    },
  },
  { method: "GET", path: "/api/v1/silences", handler: async (_q, ctx) => ({ silences: await svc(ctx).listSilences() }) },
  {
    method: "POST",
    path: "/api/v1/silences",
    handler: async (req, ctx) => reply(201, await svc(ctx).createSilence(parse(silenceInputSchema, req.body, "silence"))),
  },
  {
    method: "DELETE",
    path: "/api/v1/silences/:id",
    handler: async (req, ctx) => ((await svc(ctx).deleteSilence(req.params.id!)) ? reply(200, { deleted: req.params.id }) : Promise.reject(notFound(`no silence ${req.params.id}`))),
  },
  { method: "GET", path: "/api/v1/notification-channels", handler: async (_q, ctx) => ({ channels: await svc(ctx).listChannels() }) },
  {
    method: "POST",
    path: "/api/v1/notification-channels",
    handler: async (req, ctx) => reply(201, await svc(ctx).createChannel(parse(channelInputSchema, req.body, "channel"))),
  },
  {
    method: "GET",
    path: "/api/v1/notification-channels/:id",
    handler: async (req, ctx) => (await svc(ctx).getChannel(req.params.id!)) ?? Promise.reject(notFound(`no notification channel ${req.params.id}`)),
  },
  {
    method: "PUT",
    path: "/api/v1/notification-channels/:id",
    handler: async (req, ctx) => {
      const input = parse(channelInputSchema, req.body, "channel");
      return (await svc(ctx).updateChannel(req.params.id!, input)) ?? Promise.reject(notFound(`no notification channel ${req.params.id}`));
    },
  },
  {
    method: "DELETE",
    path: "/api/v1/notification-channels/:id",
    handler: async (req, ctx) =>
      (await svc(ctx).deleteChannel(req.params.id!)) ? reply(200, { deleted: req.params.id }) : Promise.reject(notFound(`no notification channel ${req.params.id}`)),
  },
];
