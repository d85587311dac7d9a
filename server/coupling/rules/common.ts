import "server-only";
import { severityOfLevel, type Finding, type Level, type RuleId } from "../types";
import type { EvidenceAcc } from "../model/build-model";

export interface FindingDraft {
  rule: RuleId;
  /** Stable subject: a re-detected finding keeps its id. */
  subject: string;
  level: Level;
  title: string;
  message: string;
  services: Iterable<string>;
  resources?: Iterable<string>;
  evidence: EvidenceAcc;
  extra?: Record<string, unknown>;
  confidence?: Finding["confidence"];
}

export function makeFinding(d: FindingDraft): Finding {
  const seen = d.evidence.seen();
  return {
    id: `${d.rule}:${d.subject}`,
    rule: d.rule,
    severity: severityOfLevel(d.level),
    level: d.level,
    title: d.title,
    message: d.message,
    services: [...new Set(d.services)].sort(),
    resources: [...new Set(d.resources ?? [])].sort(),
    evidence: { traceIds: [...d.evidence.traceIds], calls: d.evidence.calls, ...(d.extra ?? {}) },
    firstSeen: seen.firstSeen,
    lastSeen: seen.lastSeen,
    ...(d.confidence ? { confidence: d.confidence } : {}),
  };
}

/** "a", "a and b", "a, b and c" (first `max` names, then "and N more"). */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  if (rest > 0) return `${shown.join(", ")} and ${rest} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}

export const serviceNodeId = (service: string): string => `service:${service}`;
export const edgeId = (from: string, to: string): string => `service:${from}->service:${to}`;
