import { z } from "zod";
import { deletedSchema } from "./common";
import { defineEndpoint } from "./endpoint";
import { alertRuleTypeSchema, alertStateSchema, ALERT_STATES, channelTypeSchema } from "./enums";
import { channelInputSchema, matcherSchema, ruleDefinitionSchema, silenceInputSchema } from "./alert-inputs";
import { windowQuery } from "./time-window";

/** Alerting: rules, preview, alert instances, history, silences, channels (server/alerting/API.md). */

const labels = z.record(z.string(), z.string());
const idParams = z.object({ id: z.string().min(1) });

/** A stored rule: the definition with defaults applied, plus identity and evaluation health. */
export const ruleSchema = z
  .looseObject({
    id: z.string(),
    type: alertRuleTypeSchema,
    name: z.string(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    health: z
      .object({ health: z.enum(["ok", "no-data", "error"]), reason: z.string(), lastEvalAt: z.number() })
      .nullable(),
    counts: z.object({ pending: z.number(), firing: z.number() }),
  })
  .meta({ id: "AlertRule", description: "the rule's definition (RuleInput with defaults) plus these fields" });

export const alertInstanceSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    ruleName: z.string(),
    fingerprint: z.string(),
    state: alertStateSchema,
    labels,
    annotations: labels,
    value: z.number().nullable(),
    reason: z.string(),
    activeAt: z.string().nullable(),
    firedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    lastEvalAt: z.string().nullable(),
    silencedBy: z.array(z.string()),
  })
  .meta({ id: "Alert" });
export type AlertInstance = z.infer<typeof alertInstanceSchema>;

export const historyEntrySchema = z
  .object({
    id: z.number(),
    ruleId: z.string(),
    ruleName: z.string(),
    fingerprint: z.string(),
    labels,
    from: z.string(),
    to: z.string(),
    value: z.number().nullable(),
    reason: z.string(),
    at: z.string(),
  })
  .meta({ id: "AlertTransition" });
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const silenceSchema = z
  .object({
    id: z.string(),
    matchers: z.array(matcherSchema),
    startsAt: z.string(),
    endsAt: z.string(),
    comment: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
    status: z.enum(["active", "pending", "expired"]),
  })
  .meta({ id: "Silence" });
export type Silence = z.infer<typeof silenceSchema>;

export const channelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: channelTypeSchema,
    enabled: z.boolean(),
    settings: z.looseObject({
      url: z.string(),
      headers: z
        .record(z.string(), z.string())
        .optional()
        .meta({ description: "values are write-only: shown as ********" }),
      sendResolved: z.boolean().optional(),
      channel: z.string().optional(),
      username: z.string().optional(),
    }),
  })
  .meta({ id: "NotificationChannel" });
export type Channel = z.infer<typeof channelSchema>;

export const previewSchema = z
  .object({
    from: z.number(),
    to: z.number(),
    stepMs: z.number(),
    threshold: z.number().nullable(),
    op: z.string().nullable(),
    series: z.array(z.object({ labels, points: z.array(z.object({ t: z.number(), value: z.number().nullable() })) })),
    seriesTotal: z.number(),
    current: z
      .looseObject({ status: z.string(), active: z.number().optional(), reason: z.string().optional() })
      .nullable(),
  })
  .meta({ id: "RulePreview" });
export type Preview = z.infer<typeof previewSchema>;

const instantBody = z.union([z.number(), z.string()]).optional();
const alerting = { tag: "alerting", errors: [404, 503] } as const;

export const listAlertRules = defineEndpoint({
  ...alerting,
  id: "listAlertRules",
  method: "GET",
  path: "/api/v1/alert-rules",
  summary: "Alert rules",
  response: z.object({ rules: z.array(ruleSchema) }),
});
export const createAlertRule = defineEndpoint({
  ...alerting,
  id: "createAlertRule",
  method: "POST",
  path: "/api/v1/alert-rules",
  summary: "Create a rule (field-level errors in details.fields on 400)",
  body: ruleDefinitionSchema,
  bodyName: "rule",
  status: 201,
  response: ruleSchema,
});
export const previewAlertRule = defineEndpoint({
  ...alerting,
  id: "previewAlertRule",
  method: "POST",
  path: "/api/v1/alert-rules/preview",
  summary: "The rule's query over a window (default the last hour) with its threshold",
  body: z.object({
    rule: ruleDefinitionSchema,
    from: instantBody.meta({ description: "epoch ms or RFC 3339; default to − 1 h" }),
    to: instantBody.meta({ description: "epoch ms, RFC 3339 or `now`" }),
  }),
  bodyName: "preview",
  response: previewSchema,
});
export const getAlertRule = defineEndpoint({
  ...alerting,
  id: "getAlertRule",
  method: "GET",
  path: "/api/v1/alert-rules/:id",
  summary: "One rule",
  params: idParams,
  response: ruleSchema,
});
export const updateAlertRule = defineEndpoint({
  ...alerting,
  id: "updateAlertRule",
  method: "PUT",
  path: "/api/v1/alert-rules/:id",
  summary: "Replace a rule",
  params: idParams,
  body: ruleDefinitionSchema,
  bodyName: "rule",
  response: ruleSchema,
});
export const deleteAlertRule = defineEndpoint({
  ...alerting,
  id: "deleteAlertRule",
  method: "DELETE",
  path: "/api/v1/alert-rules/:id",
  summary: "Delete a rule",
  params: idParams,
  response: deletedSchema,
});

export const listAlerts = defineEndpoint({
  ...alerting,
  id: "listAlerts",
  method: "GET",
  path: "/api/v1/alerts",
  summary: "Current alert instances; resolved ones stay listed 15 minutes",
  query: z.object({
    state: z
      .string()
      .transform((s) => s.split(","))
      .pipe(
        z.array(
          z.enum(ALERT_STATES, {
            error: (i) => `state=${JSON.stringify(i.input)} is not one of ${ALERT_STATES.join(", ")}`,
          }),
        ),
      )
      .optional()
      .meta({ description: "comma list of pending|firing|resolved|nodata|error" }),
  }),
  response: z.object({ alerts: z.array(alertInstanceSchema) }),
});
export const getAlertHistory = defineEndpoint({
  ...alerting,
  id: "getAlertHistory",
  method: "GET",
  path: "/api/v1/alerts/history",
  summary: "State transitions, newest first (default the last 24 h)",
  query: z.object({
    ...windowQuery,
    ruleId: z.string().min(1).optional(),
    limit: z
      .string()
      .transform((v) => Math.min(1000, Math.max(1, Number(v) || 200)))
      .optional()
      .meta({ description: "1..1000, default 200" }),
  }),
  window: { defaultMs: 24 * 3600_000 },
  response: z.object({ history: z.array(historyEntrySchema) }),
});

export const listSilences = defineEndpoint({
  ...alerting,
  id: "listSilences",
  method: "GET",
  path: "/api/v1/silences",
  summary: "Silences",
  response: z.object({ silences: z.array(silenceSchema) }),
});
export const createSilence = defineEndpoint({
  ...alerting,
  id: "createSilence",
  method: "POST",
  path: "/api/v1/silences",
  summary: "Create a silence (label matchers, start, end)",
  body: silenceInputSchema,
  bodyName: "silence",
  status: 201,
  response: silenceSchema,
});
export const deleteSilence = defineEndpoint({
  ...alerting,
  id: "deleteSilence",
  method: "DELETE",
  path: "/api/v1/silences/:id",
  summary: "Expire a silence",
  params: idParams,
  response: deletedSchema,
});

export const listChannels = defineEndpoint({
  ...alerting,
  id: "listChannels",
  method: "GET",
  path: "/api/v1/notification-channels",
  summary: "Notification channels (webhook, alertmanager, slack)",
  response: z.object({ channels: z.array(channelSchema) }),
});
export const createChannel = defineEndpoint({
  ...alerting,
  id: "createChannel",
  method: "POST",
  path: "/api/v1/notification-channels",
  summary: "Create a channel; targets are SSRF-checked",
  body: channelInputSchema,
  bodyName: "channel",
  status: 201,
  response: channelSchema,
});
export const getChannel = defineEndpoint({
  ...alerting,
  id: "getChannel",
  method: "GET",
  path: "/api/v1/notification-channels/:id",
  summary: "One channel",
  params: idParams,
  response: channelSchema,
});
export const updateChannel = defineEndpoint({
  ...alerting,
  id: "updateChannel",
  method: "PUT",
  path: "/api/v1/notification-channels/:id",
  summary: "Replace a channel (a header value sent as ******** keeps the stored one)",
  params: idParams,
  body: channelInputSchema,
  bodyName: "channel",
  response: channelSchema,
});
export const deleteChannel = defineEndpoint({
  ...alerting,
  id: "deleteChannel",
  method: "DELETE",
  path: "/api/v1/notification-channels/:id",
  summary: "Delete a channel",
  params: idParams,
  response: deletedSchema,
});
