/** Client-side shapes of the coupling endpoints (see server/coupling and lib/contract/coupling.ts). */
export type Severity = "info" | "warning" | "critical";

export interface Finding {
  id: string;
  rule: string;
  severity: Severity;
  level?: string;
  title: string;
  message: string;
  services: string[];
  resources: string[];
  evidence: { traceIds: string[]; calls: number; [key: string]: unknown };
  firstSeen: string;
  lastSeen: string;
  confidence?: string;
}

export interface ViolationsResponse {
  violations: Finding[];
  suppressed: { id: string; rule: string; reason: string; expires: string }[];
  sampled: boolean;
  tracesScanned: number;
  tracesTotal: number;
  spansScanned: number;
  policy: { path: string; exists: boolean; valid: boolean };
}

export interface ServiceCouplingMetrics {
  service: string;
  owner: string;
  fanIn: number;
  fanOut: number;
  ais: number;
  ads: number;
  acs: number;
  instability: number;
  wsic: number;
  callsIn: number;
  callsOut: number;
  inCycle: boolean;
  cycle: string[];
  callers: string[];
  callees: string[];
}

export interface PolicyError {
  path: string;
  message: string;
  line: number | null;
  column: number | null;
}

export interface PolicyResponse {
  path: string;
  exists: boolean;
  yaml: string;
  errors: PolicyError[];
  valid: boolean;
}

export const RULES = [
  "shared-database", "shared-table", "cyclic-dependency", "chatty-communication", "deep-call-chain",
  "hub-service", "excessive-fan-out", "gateway-bypass", "hard-coded-endpoint", "shared-topic", "forbidden-dependency",
] as const;
