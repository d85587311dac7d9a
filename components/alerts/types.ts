/**
 * The alerting API's answers as the UI reads them, inferred from the contract
 * (lib/contract/alerting.ts, alert-inputs.ts). RuleBody is the rule editor's draft: one flat
 * form over every rule type, which the server validates against the contract's definition
 * union (its 400 names the field at fault).
 */
import type { z } from "zod";
import type { contract, BodyOf, ruleSchema } from "@/lib/contract";
import type { Comparison, ErrorPolicy, NoDataPolicy, RedSignal, RuleType } from "@/lib/enums";

export type {
  AlertInstance,
  AlertState,
  Channel,
  FieldError,
  HistoryEntry,
  Matcher,
  Preview,
  RuleType,
  Silence,
} from "@/lib/contract";
export type Signal = RedSignal;
export type SilenceBody = BodyOf<typeof contract.createSilence>;
export type ChannelBody = BodyOf<typeof contract.createChannel>;

export interface RuleBody {
  type: RuleType;
  name: string;
  enabled: boolean;
  service?: string;
  operation?: string;
  source?: string;
  target?: string;
  signal?: Signal;
  metric?: string;
  aggregation?: string;
  /** coupling: info | warning | critical; logs: trace..fatal or a SeverityNumber 1..24. */
  minSeverity?: string | number;
  /** logs: free text and key=value attribute filters. */
  text?: string;
  attributes?: Record<string, string>;
  findingRule?: string;
  baselineSeconds?: number;
  forEach?: boolean;
  minRequests?: number;
  op?: Comparison;
  threshold?: number;
  for: number;
  keepFiringFor: number;
  windowSeconds: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  channelIds: string[];
  onNoData: NoDataPolicy;
  onError: ErrorPolicy;
  limit?: number;
}

/** A stored rule: the contract's rule (identity, health, counts) with the definition's fields. */
export type Rule = RuleBody & z.output<typeof ruleSchema>;
