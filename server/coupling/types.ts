import "server-only";
import type { CouplingRuleId as RuleId, FindingLevel as Level, Severity } from "../../lib/enums";
import type { Semconv, Span } from "../normalize";

export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

/**
 * The rule ids of GET /api/v1/violations (docs/architecture.md, "Coupling rules"), the
 * reference's five-step level scale and the API's severities: the API's lists (lib/enums).
 */
export {
  COUPLING_RULE_IDS as RULE_IDS,
  type CouplingRuleId as RuleId,
  type FindingLevel as Level,
  type Severity,
} from "../../lib/enums";

export function severityOfLevel(level: Level): Severity {
  if (level === "critical" || level === "high") return "critical";
  if (level === "medium" || level === "low") return "warning";
  return "info";
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface FindingEvidence {
  traceIds: string[];
  calls: number;
  [key: string]: unknown;
}

/** One finding, exactly the API shape plus `level` and `confidence`. */
export interface Finding {
  id: string;
  rule: RuleId;
  severity: Severity;
  level: Level;
  title: string;
  message: string;
  services: string[];
  resources: string[];
  evidence: FindingEvidence;
  firstSeen: string;
  lastSeen: string;
  confidence?: "high" | "medium" | "low";
}

/**
 * A span as the store reads it (the input of the coupling rules), with readings computed once
 * per analysis: semantic conventions, the service name, microsecond times (exact in a JS
 * number) and the error status.
 */
export interface ReadSpan extends Span {
  sc: Semconv;
  service: string;
  startUs: number;
  endUs: number;
  error: boolean;
}
