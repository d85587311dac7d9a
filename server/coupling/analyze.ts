import "server-only";
import type { Policy } from "./policy/schema";
import type { TimeWindow } from "../platform/time-window";
import { buildCouplingModel, type CouplingModel } from "./model/build-model";
import { extractDbAccesses } from "./model/db-access";
import { buildDependencyGraph, type DependencyGraph } from "./graph/dependency-graph";
import { detectSharedDatabases } from "./rules/shared-database";
import { detectSharedTables } from "./rules/shared-table";
import { detectCycles } from "./rules/cyclic-dependency";
import { cycleMembers, degreesOf, detectFanOut, detectHubs } from "./rules/degree";
import { detectChattyCommunication } from "./rules/chatty-communication";
import { detectDeepCallChains } from "./rules/deep-call-chain";
import { detectGatewayBypass } from "./rules/gateway-bypass";
import { detectHardCodedEndpoints } from "./rules/hard-coded-endpoint";
import { detectSharedTopics } from "./rules/shared-topic";
import { detectForbiddenDependencies } from "./rules/forbidden-dependency";
import type { Span } from "../normalize";
import { SEVERITY_RANK, type Finding, type RuleId } from "./types";

export interface SuppressedFinding {
  id: string;
  rule: RuleId;
  reason: string;
  expires: string;
}

export interface AnalysisResult {
  violations: Finding[];
  suppressed: SuppressedFinding[];
  model: CouplingModel;
  graph: DependencyGraph;
}

/** Graph-level rules only: what the benchmark times on synthetic graphs. */
export function runGraphRules(
  input: Pick<CouplingModel, "ownership"> & { graph: DependencyGraph },
  policy: Policy,
  now: number,
): Finding[] {
  const out: Finding[] = [];
  const r = policy.rules;
  if (r["cyclic-dependency"].enabled) out.push(...detectCycles(input, policy, now));
  const d = degreesOf(input.graph);
  const inCycle = cycleMembers(input.graph);
  if (r["hub-service"].enabled) out.push(...detectHubs(input, policy, now, d, inCycle));
  if (r["excessive-fan-out"].enabled) out.push(...detectFanOut(input, policy, now, d));
  return out;
}

/**
 * Runs every enabled rule over one window's spans and applies the policy: per-rule
 * severity overrides, then suppressions (expired ones no longer apply). Pure: `now` is
 * only used to decide which suppressions have expired.
 */
export function analyzeCoupling(
  spans: readonly Span[],
  policy: Policy,
  now: number,
  window: TimeWindow,
): AnalysisResult {
  const model = buildCouplingModel(spans, policy, window);
  const graph = buildDependencyGraph(model, policy);
  const r = policy.rules;
  const all: Finding[] = [];
  const db = r["shared-database"].enabled || r["shared-table"].enabled ? extractDbAccesses(model) : [];
  if (r["shared-database"].enabled) all.push(...detectSharedDatabases(model, policy, now, db));
  if (r["shared-table"].enabled) all.push(...detectSharedTables(model, policy, now, db));
  all.push(...runGraphRules({ ownership: model.ownership, graph }, policy, now));
  if (r["chatty-communication"].enabled) all.push(...detectChattyCommunication(model, policy, now));
  if (r["deep-call-chain"].enabled) all.push(...detectDeepCallChains(model, policy, now));
  if (r["gateway-bypass"].enabled) all.push(...detectGatewayBypass(model, policy, now));
  if (r["hard-coded-endpoint"].enabled) all.push(...detectHardCodedEndpoints(model, policy, now));
  if (r["shared-topic"].enabled) all.push(...detectSharedTopics(model, policy, now));
  if (r["forbidden-dependency"].enabled) all.push(...detectForbiddenDependencies(model, policy, now));
  const { kept, suppressed } = applyPolicy(all, policy, now);
  return { violations: sortFindings(kept), suppressed, model, graph };
}

export function applyPolicy(
  findings: Finding[],
  policy: Policy,
  now: number,
): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const active = policy.suppressions.filter((s) => Date.parse(s.expires) > now);
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f0 of findings) {
    const override = policy.rules[f0.rule]?.severity;
    const f = override ? { ...f0, severity: override } : f0;
    const s = active.find(
      (x) =>
        (x.id === undefined || x.id === f.id) &&
        (x.rule === undefined || x.rule === f.rule) &&
        (x.services === undefined || x.services.every((svc) => f.services.includes(svc))),
    );
    if (s) suppressed.push({ id: f.id, rule: f.rule, reason: s.reason, expires: s.expires });
    else kept.push(f);
  }
  return { kept, suppressed };
}

/** Most severe first, then rule, then id: a stable order for the UI and the CLI. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.rule.localeCompare(b.rule) || a.id.localeCompare(b.id),
  );
}
