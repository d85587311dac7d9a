import { z } from "zod";
import { explainRegexError } from "../regex-syntax";
import {
  comparisonSchema,
  errorPolicySchema,
  LOG_SEVERITY_NAMES,
  metricAggregationSchema as allAggregations,
  policySchema,
  redSignalSchema,
  RULE_METRIC_AGGREGATIONS,
  severitySchema,
  type RuleType,
} from "./enums";

/**
 * Alert rule definitions, validated at the API boundary. Durations are seconds.
 * `type` selects the query: RED of services / operations / edges, an OTLP metric,
 * absent services (no data), coupling findings, or dependency edges new versus a baseline.
 */
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "label names are [a-zA-Z_][a-zA-Z0-9_]*");
const labelMap = z.record(labelName, z.string().max(1024)).default({});
const seconds = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600);
/** A name filter: exact value, "*" (any), or "~regex". */
const nameFilter = z
  .string()
  .min(1)
  .max(256)
  .superRefine((v, ctx) => {
    // RE2 syntax, matched in linear time (no backreferences or lookaround).
    const why = v.startsWith("~") ? explainRegexError(v.slice(1)) : null;
    if (why) ctx.addIssue({ code: "custom", message: `a filter starting with ~ must be ${why.replace(/^not /, "")}` });
  });

const common = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  for: seconds.default(0),
  keepFiringFor: seconds.default(0),
  labels: labelMap,
  annotations: labelMap,
  channelIds: z.array(z.string().min(1)).max(50).default([]),
  onNoData: policySchema.default("no-data"),
  onError: errorPolicySchema.default("error"),
  /** Most instances one evaluation may produce; above it the evaluation fails (no storm). */
  limit: z.number().int().min(1).max(100_000).default(1000),
  windowSeconds: z
    .number()
    .int()
    .min(30)
    .max(24 * 3600)
    .default(300),
};

const threshold = {
  op: comparisonSchema.default(">"),
  threshold: z.number().finite(),
};

const red = {
  signal: redSignalSchema,
  /** One instance per matching service/operation/edge; false: the worst one as one instance. */
  forEach: z.boolean().default(true),
  /** Ignore series with fewer requests in the window (keeps error rates of 1 call out). */
  minRequests: z.number().int().min(0).default(0),
  ...threshold,
};

export const serviceRuleSchema = z.object({
  type: z.literal("service"),
  service: nameFilter.default("*"),
  ...red,
  ...common,
});
export const operationRuleSchema = z.object({
  type: z.literal("operation"),
  service: nameFilter.default("*"),
  operation: nameFilter.default("*"),
  ...red,
  ...common,
});
export const edgeRuleSchema = z.object({
  type: z.literal("edge"),
  source: nameFilter.default("*"),
  target: nameFilter.default("*"),
  ...red,
  ...common,
});
/** The aggregations a metric rule evaluates (percentiles are the metrics query's, not a rule's). */
export const ruleMetricAggregationSchema = allAggregations.extract(RULE_METRIC_AGGREGATIONS);
export const metricRuleSchema = z.object({
  type: z.literal("metric"),
  metric: z.string().min(1).max(256),
  service: nameFilter.default("*"),
  /** Default by metric type: gauge → avg, monotonic sum → rate, histogram → avg (sum/count). */
  aggregation: ruleMetricAggregationSchema.optional(),
  forEach: z.boolean().default(true),
  ...threshold,
  ...common,
});
export const noDataRuleSchema = z.object({ type: z.literal("no-data"), service: nameFilter, ...common });
export const couplingRuleSchema = z.object({
  type: z.literal("coupling"),
  minSeverity: severitySchema.default("warning"),
  /** Restrict to one finding rule id (e.g. shared-database); default all. */
  findingRule: z.string().max(100).optional(),
  ...common,
});
export const newEdgeRuleSchema = z.object({
  type: z.literal("new-edge"),
  source: nameFilter.default("*"),
  target: nameFilter.default("*"),
  /** The baseline is the `baselineSeconds` before the evaluation window. */
  baselineSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  ...common,
});

/**
 * Log lines matching service, severity, text and attributes, counted per window (per service
 * with forEach). No matching line is a count of 0, never no-data: silence is the good case.
 */
export const logRuleSchema = z.object({
  type: z.literal("logs"),
  service: nameFilter.default("*"),
  /** Lowest SeverityNumber counted: 1..24 or a range name. */
  minSeverity: z.union([z.number().int().min(1).max(24), z.enum(LOG_SEVERITY_NAMES)]).default("error"),
  /** Free text as the logs search takes it (whole words, "phrases", prefix*). */
  text: z.string().trim().max(500).optional(),
  /** Every pair must match a log attribute, else a resource attribute. */
  attributes: z.record(z.string().min(1).max(256), z.string().max(1024)).default({}),
  forEach: z.boolean().default(true),
  op: comparisonSchema.default(">"),
  threshold: z.number().finite().min(0).default(0),
  ...common,
});

export const ruleDefinitionSchema = z
  .discriminatedUnion("type", [
    serviceRuleSchema,
    operationRuleSchema,
    edgeRuleSchema,
    metricRuleSchema,
    noDataRuleSchema,
    couplingRuleSchema,
    newEdgeRuleSchema,
    logRuleSchema,
  ])
  .superRefine((r, ctx) => {
    for (const [k, v] of Object.entries(r.labels)) {
      if (/\$value/.test(v)) {
        ctx.addIssue({
          code: "custom",
          path: ["labels", k],
          message:
            "a label must not use $value: it would create a new alert identity on every evaluation; use an annotation",
        });
      }
    }
    if ((r.type === "service" || r.type === "operation" || r.type === "edge") && r.signal === "error_rate") {
      if (r.threshold < 0 || r.threshold > 1) {
        ctx.addIssue({
          code: "custom",
          path: ["threshold"],
          message: "error_rate thresholds are ratios between 0 and 1",
        });
      }
    }
  });

export type RuleDefinition = z.infer<typeof ruleDefinitionSchema>;
export type RuleInput = z.input<typeof ruleDefinitionSchema>;

/** A stored rule: the definition plus identity. */
export type AlertRule = RuleDefinition & { id: string };

/** The definition union and lib/enums' ALERT_RULE_TYPES list the same types (fails to compile otherwise). */
type SameSets<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ruleTypesMatch: SameSets<RuleDefinition["type"], RuleType> = true;
void ruleTypesMatch;

// Silences: label matchers (=, !=, =~, !~; regexes fully anchored, as in Alertmanager) and a window.
export const matcherSchema = z
  .object({
    name: z.string().min(1).max(200),
    op: z.enum(["=", "!=", "=~", "!~"]),
    value: z.string().max(1024),
  })
  .superRefine((m, ctx) => {
    if (m.op === "=~" || m.op === "!~") {
      const why = explainRegexError(m.value);
      if (why) ctx.addIssue({ code: "custom", path: ["value"], message: why });
    }
  });
export type Matcher = z.infer<typeof matcherSchema>;

export const silenceInputSchema = z
  .object({
    matchers: z.array(matcherSchema).min(1, "a silence needs at least one matcher"),
    startsAt: z.iso.datetime({ offset: true }).optional(),
    endsAt: z.iso.datetime({ offset: true }),
    comment: z.string().max(2000).default(""),
    createdBy: z.string().max(200).default(""),
  })
  .superRefine((s, ctx) => {
    if (s.startsAt && Date.parse(s.endsAt) <= Date.parse(s.startsAt)) {
      ctx.addIssue({ code: "custom", path: ["endsAt"], message: "endsAt must be after startsAt" });
    }
  });

// Notification channels (webhook / alertmanager / slack).
const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });
const headers = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).default({});

export const channelInputSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("webhook"),
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    settings: z.object({ url: httpUrl, headers, sendResolved: z.boolean().default(true) }),
  }),
  z.object({
    type: z.literal("alertmanager"),
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    settings: z.object({ url: httpUrl, headers, sendResolved: z.boolean().default(true) }),
  }),
  z.object({
    type: z.literal("slack"),
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    settings: z.object({
      url: httpUrl,
      channel: z.string().max(200).optional(),
      username: z.string().max(200).optional(),
      sendResolved: z.boolean().default(true),
    }),
  }),
]);
export type ChannelInput = z.infer<typeof channelInputSchema>;
