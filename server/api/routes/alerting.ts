import "server-only";
import { contract } from "../../../lib/contract";
import type { AlertingService } from "../../alerting";
import type { ApiContext } from "../context";
import { ApiError, notFound } from "../errors";
import { route } from "../route";
import type { Route } from "../router";
import { maxWindowMs, parseInstant, resolveWindow } from "../time-window";

/** Alerting API (shapes in server/alerting/API.md and lib/contract/alerting.ts). */
function svc(ctx: ApiContext): AlertingService {
  if (!ctx.alerting) throw new ApiError(503, "alerting-unavailable", "alerting is not running in this process");
  return ctx.alerting;
}

async function found<T>(value: Promise<T | null>, what: string): Promise<T> {
  const v = await value;
  if (v === null) throw notFound(`no ${what}`);
  return v;
}

async function deleted(ok: Promise<boolean>, id: string, what: string) {
  if (!(await ok)) throw notFound(`no ${what} ${id}`);
  return { deleted: id };
}

export const alertingRoutes: Route[] = [
  route(contract.listAlertRules, async (_in, ctx) => ({ rules: await svc(ctx).listRules() })),
  route(contract.createAlertRule, async ({ body }, ctx) => svc(ctx).createRule(body)),
  route(contract.previewAlertRule, async ({ body }, ctx) => {
    const now = ctx.now();
    const w = resolveWindow(parseInstant(body.from, "from"), parseInstant(body.to, "to"), now, {
      defaultMs: 3600_000,
      maxWindowMs: maxWindowMs(ctx.config),
    });
    return svc(ctx).preview(body.rule, w.fromMs, w.toMs);
  }),
  route(contract.getAlertRule, async ({ params }, ctx) =>
    found(svc(ctx).getRule(params.id), `alert rule ${params.id}`),
  ),
  route(contract.updateAlertRule, async ({ params, body }, ctx) =>
    found(svc(ctx).updateRule(params.id, body), `alert rule ${params.id}`),
  ),
  route(contract.deleteAlertRule, async ({ params }, ctx) =>
    deleted(svc(ctx).deleteRule(params.id), params.id, "alert rule"),
  ),
  route(contract.listAlerts, async ({ query }, ctx) => ({ alerts: await svc(ctx).listAlerts(query.state) })),
  route(contract.getAlertHistory, async ({ query, window }, ctx) => ({
    history: await svc(ctx).history({
      ruleId: query.ruleId,
      fromMs: window.fromMs,
      toMs: window.toMs,
      limit: query.limit ?? 200,
    }),
  })),
  route(contract.listSilences, async (_in, ctx) => ({ silences: await svc(ctx).listSilences() })),
  route(contract.createSilence, async ({ body }, ctx) => svc(ctx).createSilence(body)),
  route(contract.deleteSilence, async ({ params }, ctx) =>
    deleted(svc(ctx).deleteSilence(params.id), params.id, "silence"),
  ),
  route(contract.listChannels, async (_in, ctx) => ({ channels: await svc(ctx).listChannels() })),
  route(contract.createChannel, async ({ body }, ctx) => svc(ctx).createChannel(body)),
  route(contract.getChannel, async ({ params }, ctx) =>
    found(svc(ctx).getChannel(params.id), `notification channel ${params.id}`),
  ),
  route(contract.updateChannel, async ({ params, body }, ctx) =>
    found(svc(ctx).updateChannel(params.id, body), `notification channel ${params.id}`),
  ),
  route(contract.deleteChannel, async ({ params }, ctx) =>
    deleted(svc(ctx).deleteChannel(params.id), params.id, "notification channel"),
  ),
];
