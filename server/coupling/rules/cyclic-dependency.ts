import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import type { DependencyGraph } from "../graph/dependency-graph";
import { adjacencyOf } from "../graph/dependency-graph";
import { findStronglyConnected, listCycles } from "../graph/scc";
import type { Finding } from "../types";
import { edgeId, listNames, makeFinding } from "./common";

/**
 * R3 cyclic dependency: every strongly connected component (>= 2 owner groups) of the
 * owner-level sync graph, after gateway/sidecar contraction and minimum support. Allowed
 * callbacks (`dependencies.allow[].ignoreInCycles`) are removed first. Evidence lists the
 * component's elementary cycles (capped) and the edges' calls.
 */
export function detectCycles(
  m: Pick<CouplingModel, "ownership"> & { graph: DependencyGraph },
  policy: Policy,
  _now: number,
): Finding[] {
  const cfg = policy.rules["cyclic-dependency"];
  const own = m.ownership;
  const ignored = policy.dependencies.allow.filter((d) => d.ignoreInCycles);
  const edges = m.graph.edges.filter(
    (e) =>
      !ignored.some(
        (d) => matches(d.from, e.from, e.fromServices, own.ownerOf) && matches(d.to, e.to, e.toServices, own.ownerOf),
      ),
  );
  const g = { nodes: m.graph.nodes, edges };
  const adj = adjacencyOf(g);
  const edgeByKey = new Map(edges.map((e) => [e.from + "\u0000" + e.to, e]));
  const findings: Finding[] = [];
  for (const comp of findStronglyConnected(adj)) {
    if (comp.length < 2) continue;
    const inComp = new Set(comp);
    const compEdges = edges.filter((e) => inComp.has(e.from) && inComp.has(e.to));
    const cycles = listCycles(comp, adj, cfg.maxCycles, cfg.maxCycleLength);
    const ev = new EvidenceAcc();
    for (const e of compEdges) ev.merge(e.evidence);
    const slow = compEdges.some((e) => e.p95Ms > cfg.slowEdgeP95Ms);
    const level = comp.length >= 3 || slow ? "high" : "medium";
    const path = cycles[0] ?? [...comp, comp[0]!];
    const services = compEdges.flatMap((e) => [...e.fromServices, ...e.toServices]);
    const edgeList = compEdges.map((e) => ({
      from: e.from,
      to: e.to,
      calls: e.calls,
      traces: e.traces,
      share: round(e.share),
      p95Ms: round(e.p95Ms),
    }));
    const weakest = [...compEdges].sort((a, b) => a.calls - b.calls)[0]!;
    findings.push(
      makeFinding({
        rule: "cyclic-dependency",
        subject: comp.join(","),
        level,
        title: `Dependency cycle: ${path.join(" → ")}`,
        message:
          `${listNames(comp)} depend on each other synchronously (${path.join(" → ")}). ` +
          `None of them can be deployed, versioned or scaled on its own, and failures and retries travel around the loop. ` +
          `Break the cycle: replace one direction with events, or move the shared logic into one service. ` +
          `The lightest edge is ${weakest.from} → ${weakest.to} (${weakest.calls} calls, ${pct(weakest.share)} of ${weakest.from}'s calls).`,
        services,
        resources: compEdges.map((e) => edgeId(e.from, e.to)),
        evidence: ev,
        extra: { path, cycles: cycles.slice(0, 10), edges: edgeList, members: comp },
      }),
    );
    void edgeByKey;
  }
  return findings;
}

function matches(pattern: string, owner: string, services: string[], ownerOf: (s: string) => string): boolean {
  return pattern === owner || services.includes(pattern) || ownerOf(pattern) === owner;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const pct = (x: number) => `${(x * 100).toFixed(x < 0.01 ? 2 : 1)} %`;
