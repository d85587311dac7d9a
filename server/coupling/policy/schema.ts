import "server-only";
import { z } from "zod";
import { SEVERITIES, type CouplingRuleId } from "../../../lib/enums";

/**
 * The architecture policy (`cartograph.yaml`). Every object is strict: a misspelt key is an
 * error with its line number, not a silently ignored setting.
 */
export const ROLE_NAMES = [
  "gateway",
  "bff",
  "platform",
  "reporting",
  "migration",
  "cdc",
  "sidecar",
  "orchestrator",
  "batch",
  "webhook-receiver",
  "client",
] as const;
export type Role = (typeof ROLE_NAMES)[number];

const name = z.string().trim().min(1, "must not be empty");
const names = z.array(name);
const severity = z.enum(SEVERITIES);
const count = z.number().int().min(1);
const share = z.number().min(0).max(1);

const ruleBase = { enabled: z.boolean().default(true), severity: severity.optional() };

export const RuleSettingsSchema = z
  .object({
    "shared-database": z
      .object({ ...ruleBase, minSpans: count.default(10) })
      .strict()
      .default({ enabled: true, minSpans: 10 }),
    "shared-table": z
      .object({ ...ruleBase, minSpans: count.default(5), ignoreTables: names.default([]) })
      .strict()
      .default({ enabled: true, minSpans: 5, ignoreTables: [] }),
    "cyclic-dependency": z
      .object({
        ...ruleBase,
        maxCycles: count.default(50),
        maxCycleLength: count.default(6),
        slowEdgeP95Ms: z.number().min(0).default(100),
      })
      .strict()
      .default({ enabled: true, maxCycles: 50, maxCycleLength: 6, slowEdgeP95Ms: 100 }),
    "chatty-communication": z
      .object({
        ...ruleBase,
        minCallsPerRequest: count.default(5),
        minRequests: count.default(3),
        highDurationShare: share.default(0.2),
      })
      .strict()
      .default({ enabled: true, minCallsPerRequest: 5, minRequests: 3, highDurationShare: 0.2 }),
    "deep-call-chain": z
      .object({
        ...ruleBase,
        minHops: count.default(4),
        highHops: count.default(6),
        slowChainMs: z.number().min(0).default(1000),
        minTraces: count.default(3),
      })
      .strict()
      .default({ enabled: true, minHops: 4, highHops: 6, slowChainMs: 1000, minTraces: 3 }),
    "hub-service": z
      .object({ ...ruleBase, minCallers: count.default(6) })
      .strict()
      .default({ enabled: true, minCallers: 6 }),
    "excessive-fan-out": z
      .object({ ...ruleBase, minCallees: count.default(6) })
      .strict()
      .default({ enabled: true, minCallees: 6 }),
    "gateway-bypass": z
      .object({
        ...ruleBase,
        minShare: share.default(0.01),
        minRequests: count.default(5),
        loopbackIsExternal: z.boolean().default(false),
      })
      .strict()
      .default({ enabled: true, minShare: 0.01, minRequests: 5, loopbackIsExternal: false }),
    "hard-coded-endpoint": z
      .object({ ...ruleBase, minCalls: count.default(3) })
      .strict()
      .default({ enabled: true, minCalls: 3 }),
    "shared-topic": z
      .object({ ...ruleBase, minSpans: count.default(5), godTopicMin: count.default(5) })
      .strict()
      .default({ enabled: true, minSpans: 5, godTopicMin: 5 }),
    "forbidden-dependency": z
      .object({ ...ruleBase })
      .strict()
      .default({ enabled: true }),
  })
  .strict();

const dependency = z
  .object({
    from: name,
    to: name,
    reason: z.string().optional(),
    /** An allowed edge that is a callback by contract: left out of cycle detection. */
    ignoreInCycles: z.boolean().default(false),
    severity: severity.optional(),
  })
  .strict();

/** YAML turns `2027-01-01` into a string or a Date depending on the schema; accept both. */
const dateLike = z
  .union([z.string(), z.date()], { error: "expected a date such as 2027-01-01 (required)" })
  .transform((v, ctx) => {
    const ms = v instanceof Date ? v.getTime() : Date.parse(v);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: "custom", message: `not a date: ${String(v)} (use YYYY-MM-DD or RFC 3339)` });
      return z.NEVER;
    }
    return new Date(ms).toISOString();
  });

const suppression = z
  .object({
    rule: name.optional(),
    /** A finding id as shown by the API; omit to match by rule and services. */
    id: name.optional(),
    /** Matches when every listed service is among the finding's services. */
    services: names.optional(),
    reason: z.string().trim().min(3, "say why this finding is accepted"),
    expires: dateLike,
  })
  .strict()
  .refine((s) => s.rule !== undefined || s.id !== undefined, { message: "a suppression needs a rule or an id" });

export const PolicySchema = z
  .object({
    version: z.literal(1).default(1),
    /** Owner groups: several deployables that are one bounded context count as one owner. */
    groups: z.record(name, names).default({}),
    /** Group `orders-api`, `orders-worker`, ... as `orders` when not listed in `groups`. */
    inferGroups: z.boolean().default(true),
    /** Group by resource `service.namespace` when not listed in `groups`. */
    groupByNamespace: z.boolean().default(false),
    /** role -> services (or group names; `*` wildcards allowed). */
    roles: z.partialRecord(z.enum(ROLE_NAMES), names).default({}),
    dependencies: z
      .object({
        /** deny: every dependency between groups must be listed under `allow`. */
        default: z.enum(["allow", "deny"]).default("allow"),
        allow: z.array(dependency).default([]),
        forbid: z.array(dependency).default([]),
      })
      .strict()
      .default({ default: "allow", allow: [], forbid: [] }),
    rules: RuleSettingsSchema.default(() => RuleSettingsSchema.parse({})),
    suppressions: z.array(suppression).default([]),
    settings: z
      .object({
        /** Minimum support of a dependency edge. */
        minCalls: count.default(10),
        minTraces: count.default(3),
        minShare: share.default(0.001),
        /** Cap on traces read per analysis; above it traces are sampled by trace-id hash. */
        maxTraces: count.default(20000),
        internalCidrs: names.default([]),
      })
      .strict()
      .default({ minCalls: 10, minTraces: 3, minShare: 0.001, maxTraces: 20000, internalCidrs: [] }),
  })
  .strict();

export type Policy = z.infer<typeof PolicySchema>;
export type RuleSettings = Policy["rules"];

/** The policy has settings for exactly the API's coupling rules (lib/enums): fails to compile otherwise. */
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const settingsCoverEveryRule: SameKeys<keyof RuleSettings, CouplingRuleId> = true;
void settingsCoverEveryRule;

export function defaultPolicy(): Policy {
  return PolicySchema.parse({});
}
