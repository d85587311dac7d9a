import { z } from "zod";
import { defineEndpoint } from "./endpoint";
import { couplingRuleIdSchema, findingLevelSchema, severitySchema } from "./enums";
import { windowQuery } from "./time-window";

/** Coupling findings, coupling metrics and the architecture policy (API.md "Coupling findings"). */

export const findingSchema = z
  .object({
    id: z.string(),
    rule: couplingRuleIdSchema,
    severity: severitySchema,
    /** The five-step scale behind severity. */
    level: findingLevelSchema,
    title: z.string(),
    message: z.string(),
    services: z.array(z.string()).meta({ description: "sorted" }),
    resources: z.array(z.string()),
    evidence: z.looseObject({ traceIds: z.array(z.string()), calls: z.number() }),
    firstSeen: z.string(),
    lastSeen: z.string(),
    confidence: z.enum(["high", "medium", "low"]).optional(),
  })
  .meta({ id: "Finding" });
export type Finding = z.infer<typeof findingSchema>;

const policySummary = z.object({ path: z.string(), exists: z.boolean(), valid: z.boolean() });

export const getViolations = defineEndpoint({
  id: "getViolations",
  method: "GET",
  path: "/api/v1/violations",
  tag: "coupling",
  summary: "Coupling findings of the window, with evidence",
  query: z.object({
    ...windowQuery,
    rule: couplingRuleIdSchema.optional(),
    severity: severitySchema.optional(),
    service: z.string().min(1).optional(),
  }),
  window: true,
  response: z.object({
    violations: z.array(findingSchema),
    suppressed: z.array(
      z.object({ id: z.string(), rule: couplingRuleIdSchema, reason: z.string(), expires: z.string() }),
    ),
    sampled: z.boolean(),
    tracesScanned: z.number(),
    tracesTotal: z.number(),
    spansScanned: z.number(),
    policy: policySummary,
    from: z.string(),
    to: z.string(),
  }),
});

export const serviceCouplingSchema = z
  .object({
    service: z.string(),
    owner: z.string(),
    fanIn: z.number(),
    fanOut: z.number(),
    ais: z.number(),
    ads: z.number(),
    acs: z.number(),
    instability: z.number(),
    wsic: z.number(),
    callsIn: z.number(),
    callsOut: z.number(),
    inCycle: z.boolean(),
    cycle: z.array(z.string()),
    callers: z.array(z.string()),
    callees: z.array(z.string()),
  })
  .meta({ id: "ServiceCouplingMetrics" });
export type ServiceCouplingMetrics = z.infer<typeof serviceCouplingSchema>;

export const getCouplingMetrics = defineEndpoint({
  id: "getCouplingMetrics",
  method: "GET",
  path: "/api/v1/coupling/metrics",
  tag: "coupling",
  summary: "Fan-in, fan-out, instability, AIS/ADS and cycle membership per service",
  query: z.object(windowQuery),
  window: true,
  response: z.object({
    services: z.array(serviceCouplingSchema),
    system: z.object({
      services: z.number(),
      edges: z.number(),
      cycles: z.number(),
      largestCycle: z.number(),
      cyclicShare: z.number(),
      interdependentPairs: z.number(),
      meanAds: z.number(),
    }),
    sampled: z.boolean(),
    tracesScanned: z.number(),
    from: z.string(),
    to: z.string(),
  }),
});

export const getServiceCoupling = defineEndpoint({
  id: "getServiceCoupling",
  method: "GET",
  path: "/api/v1/coupling/metrics/:service",
  tag: "coupling",
  summary: "Coupling metrics of one service",
  params: z.object({ service: z.string().min(1) }),
  query: z.object(windowQuery),
  window: true,
  errors: [404],
  response: serviceCouplingSchema.extend({ sampled: z.boolean(), from: z.string(), to: z.string() }),
});

export const policyErrorSchema = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().nullable(),
  column: z.number().nullable(),
});
export type PolicyError = z.infer<typeof policyErrorSchema>;

export const policyViewSchema = z
  .object({
    path: z
      .string()
      .meta({ description: "CARTOGRAPH_POLICY_FILE, imported into the control plane when its content changes" }),
    exists: z.boolean().meta({ description: "whether the control plane holds a policy" }),
    yaml: z.string().meta({ description: "the stored text (comments kept); empty when none is stored" }),
    policy: z
      .record(z.string(), z.unknown())
      .meta({ description: "the effective policy (the defaults while the stored text has errors)" }),
    errors: z.array(policyErrorSchema),
    valid: z.boolean(),
    source: z
      .enum(["api", "file"])
      .nullable()
      .meta({ description: "where the stored policy came from: a PUT, or an import of CARTOGRAPH_POLICY_FILE" }),
    updatedAt: z.string().nullable().meta({ description: "when the stored policy last changed (ISO 8601)" }),
  })
  .meta({ id: "Policy" });
export type PolicyView = z.infer<typeof policyViewSchema>;

export const getPolicy = defineEndpoint({
  id: "getPolicy",
  method: "GET",
  path: "/api/v1/policy",
  tag: "coupling",
  summary: "The architecture policy (shared by every instance): text, effective policy and its errors",
  response: policyViewSchema,
});

export const putPolicy = defineEndpoint({
  id: "putPolicy",
  method: "PUT",
  path: "/api/v1/policy",
  tag: "coupling",
  summary:
    "Replace the policy for every instance (validated, stored in the control plane); 400 invalid-policy with line-numbered details.fields",
  body: z.union([
    z.object({ yaml: z.string().max(1_000_000) }).strict(),
    z.object({ policy: z.record(z.string(), z.unknown()) }).strict(),
  ]),
  bodyName: "policy-body",
  response: policyViewSchema,
});
