import { z } from "zod";
import {
  ALERT_RULE_TYPES,
  ALERT_STATES,
  CHANNEL_TYPES,
  COMPARISONS,
  COUPLING_RULE_IDS,
  EDGE_PROTOCOLS,
  ERROR_POLICIES,
  FINDING_LEVELS,
  HEALTH,
  METRIC_AGGREGATIONS,
  METRIC_TYPES,
  NO_DATA_POLICIES,
  NODE_KINDS,
  RED_SIGNALS,
  ROLES,
  SEVERITIES,
  SPAN_KINDS,
  STATUS_CODES,
  TEMPORALITIES,
} from "../enums";

/**
 * The API's enumerations as zod schemas, built from the plain lists in lib/enums.ts (the one
 * definition: the server validates and answers with these, the UI imports the lists from
 * lib/enums and its types from here, the OpenAPI document lists them).
 */
export * from "../enums";

export const healthSchema = z
  .enum(HEALTH)
  .meta({ description: "ok | warning | critical by error rate; unknown with no requests in the window" });
export const nodeKindSchema = z.enum(NODE_KINDS);
export const edgeProtocolSchema = z.enum(EDGE_PROTOCOLS);
export const spanKindSchema = z.enum(SPAN_KINDS);
export const statusCodeSchema = z.enum(STATUS_CODES);
export const severitySchema = z.enum(SEVERITIES);
export const findingLevelSchema = z.enum(FINDING_LEVELS);
export const couplingRuleIdSchema = z.enum(COUPLING_RULE_IDS);
export const metricTypeSchema = z.enum(METRIC_TYPES);
export const metricAggregationSchema = z.enum(METRIC_AGGREGATIONS);
export const temporalitySchema = z.enum(TEMPORALITIES);
export const alertStateSchema = z.enum(ALERT_STATES);
export const alertRuleTypeSchema = z.enum(ALERT_RULE_TYPES);
export const redSignalSchema = z.enum(RED_SIGNALS);
export const comparisonSchema = z.enum(COMPARISONS);
export const policySchema = z.enum(NO_DATA_POLICIES);
export const errorPolicySchema = z.enum(ERROR_POLICIES);
export const channelTypeSchema = z.enum(CHANNEL_TYPES);
export const roleSchema = z.enum(ROLES).meta({
  description: "viewer: read; editor: also change rules, channels, silences, policy; admin: also manage access",
});
