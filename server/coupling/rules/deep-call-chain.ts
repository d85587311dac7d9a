import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { childrenOf, EvidenceAcc } from "../model/build-model";
import { nearestRank } from "../graph/dependency-graph";
import { KIND, type Finding, type ReadSpan } from "../types";
import { listNames, makeFinding, serviceNodeId } from "./common";

/**
 * R5 long synchronous chain: per trace, the longest root-to-leaf path counted in hops
 * between distinct non-infra services (gateway, bff and sidecar hops do not count,
 * consecutive spans of one service collapse, INTERNAL spans are not hops, a CONSUMER
 * starts a new chain). A hop is the server span of a synchronous service call as the
 * service graph pairs it (model.serviceCalls). Reported per root operation when the p95 over its traces reaches
 * minHops. High at highHops, or at minHops with a p95 root duration above slowChainMs.
 */
export function detectDeepCallChains(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const cfg = policy.rules["deep-call-chain"];
  const own = m.ownership;
  const infra = (s: string) => own.hasRole(s, "gateway", "bff", "sidecar");
  interface OpAcc {
    hops: number[];
    durations: number[];
    chain: string[];
    ev: EvidenceAcc;
    services: Set<string>;
  }
  const ops = new Map<string, OpAcc>();
  const hopServers = new Set<ReadSpan>();
  for (const c of m.serviceCalls) hopServers.add(c.server);
  for (const [, spans] of m.traces) {
    const roots = spans.filter((s) => s.parentSpanId === null || !m.byKey.has(s.traceId + "/" + s.parentSpanId));
    for (const root of roots) {
      if (
        root.kind !== KIND.SERVER &&
        root.kind !== KIND.CONSUMER &&
        root.kind !== KIND.INTERNAL &&
        root.kind !== KIND.CLIENT
      )
        continue;
      let best: string[] = [];
      const stack: Array<[ReadSpan, string[]]> = [[root, infra(root.service) ? [] : [root.service]]];
      let guard = 0;
      while (stack.length > 0 && guard++ < 50_000) {
        const [s, chain] = stack.pop()!;
        if (chain.length > best.length) best = chain;
        for (const c of childrenOf(m, s)) {
          if (c.kind === KIND.CONSUMER) continue; // async boundary: its own root operation elsewhere
          let next = chain;
          if (hopServers.has(c) && !infra(c.service) && chain[chain.length - 1] !== c.service)
            next = [...chain, c.service];
          stack.push([c, next]);
        }
      }
      const hops = Math.max(0, best.length - 1);
      const opName = `${root.service} ${root.sc.httpRoute ? `${root.sc.httpMethod ?? ""} ${root.sc.httpRoute}`.trim() : root.name}`;
      let acc = ops.get(opName);
      if (!acc)
        ops.set(opName, (acc = { hops: [], durations: [], chain: [], ev: new EvidenceAcc(), services: new Set() }));
      acc.hops.push(hops);
      acc.durations.push((root.endUs - root.startUs) / 1000);
      if (hops >= cfg.minHops) {
        acc.ev.add(root);
        for (const s of best) acc.services.add(s);
        if (best.length > acc.chain.length) acc.chain = best;
      }
    }
  }
  const findings: Finding[] = [];
  for (const [op, a] of ops) {
    const deep = a.hops.filter((h) => h >= cfg.minHops).length;
    if (deep < cfg.minTraces) continue;
    const p95 = nearestRank(a.hops, 0.95);
    if (p95 < cfg.minHops) continue;
    const p95Ms = nearestRank(a.durations, 0.95);
    const level = p95 >= cfg.highHops || p95Ms > cfg.slowChainMs ? "high" : "medium";
    findings.push(
      makeFinding({
        rule: "deep-call-chain",
        subject: op,
        level,
        title: `${op}: synchronous chain of ${p95} hops`,
        message:
          `Requests to ${op} go through ${p95} synchronous service hops at p95 (${a.chain.join(" → ")}); ${deep} of ${a.hops.length} traces reach ${cfg.minHops} or more. ` +
          `Latency adds up per hop and availability multiplies, so one slow or failing link stalls the whole request (p95 ${Math.round(p95Ms)} ms). ` +
          `Shorten the chain: let ${listNames(a.chain.slice(-2))} publish events or keep local copies of the data instead of calling through, or merge services that always change together.`,
        services: a.services,
        resources: a.chain.map(serviceNodeId),
        evidence: a.ev,
        extra: {
          chain: a.chain,
          p95Hops: p95,
          maxHops: Math.max(...a.hops),
          traces: a.hops.length,
          deepTraces: deep,
          p95DurationMs: Math.round(p95Ms),
        },
      }),
    );
  }
  return findings;
}
