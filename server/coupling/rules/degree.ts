import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import type { DependencyGraph } from "../graph/dependency-graph";
import { adjacencyOf } from "../graph/dependency-graph";
import { findStronglyConnected } from "../graph/scc";
import type { Finding, Level } from "../types";
import { listNames, makeFinding, serviceNodeId } from "./common";

type GraphInput = Pick<CouplingModel, "ownership"> & { graph: DependencyGraph };

/** Owner groups in a non-trivial SCC. */
export function cycleMembers(g: DependencyGraph): Set<string> {
  const out = new Set<string>();
  for (const c of findStronglyConnected(adjacencyOf(g))) if (c.length >= 2) for (const n of c) out.add(n);
  return out;
}

interface Degree {
  in: Map<string, Set<string>>;
  out: Map<string, Set<string>>;
  services: Map<string, Set<string>>;
  ev: Map<string, { in: EvidenceAcc; out: EvidenceAcc }>;
}

function degreesOf(g: DependencyGraph): Degree {
  const d: Degree = { in: new Map(), out: new Map(), services: new Map(), ev: new Map() };
  const get = <T>(m: Map<string, T>, k: string, make: () => T): T => {
    let v = m.get(k);
    if (v === undefined) m.set(k, (v = make()));
    return v;
  };
  for (const e of g.edges) {
    get(d.in, e.to, () => new Set()).add(e.from);
    get(d.out, e.from, () => new Set()).add(e.to);
    for (const s of e.fromServices) get(d.services, e.from, () => new Set()).add(s);
    for (const s of e.toServices) get(d.services, e.to, () => new Set()).add(s);
    get(d.ev, e.to, () => ({ in: new EvidenceAcc(), out: new EvidenceAcc() })).in.merge(e.evidence);
    get(d.ev, e.from, () => ({ in: new EvidenceAcc(), out: new EvidenceAcc() })).out.merge(e.evidence);
  }
  return d;
}

/**
 * R6 hub / bottleneck: AIS (distinct caller owner groups) >= minCallers. Medium; high when
 * the hub also sits in a cycle; info for platform services and gateways (expected hubs).
 * Counting callers, not calls, so a chatty client does not make a hub.
 */
export function detectHubs(
  m: GraphInput,
  policy: Policy,
  _now: number,
  d: Degree = degreesOf(m.graph),
  inCycle = cycleMembers(m.graph),
): Finding[] {
  const cfg = policy.rules["hub-service"];
  const own = m.ownership;
  const findings: Finding[] = [];
  for (const [node, callers] of d.in) {
    if (callers.size < cfg.minCallers) continue;
    const services = [...(d.services.get(node) ?? [node])].filter((s) => own.ownerOf(s) === node);
    const expected = services.some((s) => own.hasRole(s, "platform", "gateway", "bff"));
    const level: Level = expected ? "info" : inCycle.has(node) ? "high" : "medium";
    const names = [...callers].sort();
    findings.push(
      makeFinding({
        rule: "hub-service",
        subject: node,
        level,
        title: `${node} is called by ${callers.size} services`,
        message:
          `${node} has ${callers.size} distinct callers (${listNames(names)}); the threshold is ${cfg.minCallers}. ` +
          (expected
            ? `It has a platform/gateway role, so this is expected; watch its latency and availability.`
            : `It is a single point of failure and every caller is bound to its contract${inCycle.has(node) ? ", and it is part of a dependency cycle" : ""}. ` +
              `Split it by capability, serve read-heavy callers from events or a cache, or give it role platform in cartograph.yaml if it is a deliberate shared service.`),
        services: services.length > 0 ? services : [node],
        resources: services.map(serviceNodeId),
        evidence: d.ev.get(node)!.in,
        extra: { ais: callers.size, callers: names, inCycle: inCycle.has(node) },
      }),
    );
  }
  return findings;
}

/**
 * R7 excessive fan-out: ADS (distinct callee owner groups) >= minCallees. Medium; high when
 * the service is also a hub (ESB-like); info for gateway / bff / orchestrator roles.
 */
export function detectFanOut(m: GraphInput, policy: Policy, _now: number, d: Degree = degreesOf(m.graph)): Finding[] {
  const cfg = policy.rules["excessive-fan-out"];
  const hubMin = policy.rules["hub-service"].minCallers;
  const own = m.ownership;
  const findings: Finding[] = [];
  for (const [node, callees] of d.out) {
    if (callees.size < cfg.minCallees) continue;
    const services = [...(d.services.get(node) ?? [node])].filter((s) => own.ownerOf(s) === node);
    const byDesign = services.some((s) => own.hasRole(s, "gateway", "bff", "orchestrator"));
    const esb = (d.in.get(node)?.size ?? 0) >= hubMin;
    const level: Level = byDesign ? "info" : esb ? "high" : "medium";
    const names = [...callees].sort();
    findings.push(
      makeFinding({
        rule: "excessive-fan-out",
        subject: node,
        level,
        title: `${node} calls ${callees.size} services`,
        message:
          `${node} depends synchronously on ${callees.size} services (${listNames(names)}); the threshold is ${cfg.minCallees}. ` +
          (byDesign
            ? `It is a gateway/BFF/orchestrator, which fans out by design.`
            : `It fails whenever any of them fails and tends to absorb other domains' logic${esb ? "; with its many callers it acts like an ESB hub" : ""}. ` +
              `Move logic to the services that own the data, use events instead of queries, or mark it as an orchestrator in cartograph.yaml if that is its job.`),
        services: services.length > 0 ? services : [node],
        resources: services.map(serviceNodeId),
        evidence: d.ev.get(node)!.out,
        extra: { ads: callees.size, callees: names, ais: d.in.get(node)?.size ?? 0 },
      }),
    );
  }
  return findings;
}

export { degreesOf };
