import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { childrenOf, EvidenceAcc } from "../model/build-model";
import { nearestRank } from "../graph/dependency-graph";
import { KIND, type Finding, type ReadSpan } from "../types";
import { edgeId, makeFinding } from "./common";

interface EdgeAcc {
  caller: string;
  target: string;
  targetIsService: boolean;
  perRequest: number[];
  flagged: number;
  sequentialHeavy: number;
  ops: Map<string, number>;
  ev: EvidenceAcc;
}

/** The callee of a CLIENT span: its SERVER partner's service, else the virtual peer. */
function targetOf(m: CouplingModel, c: ReadSpan): { name: string; service: boolean; op: string } | null {
  const srv = m.serverOf.get(c);
  if (srv) return { name: srv.service, service: true, op: srv.sc.httpRoute ?? methodOf(srv) ?? srv.name };
  const peer = c.sc.peerService ?? c.sc.serverAddress;
  if (!peer) return null;
  return { name: peer, service: false, op: c.sc.httpRoute ?? methodOf(c) ?? c.name };
}

function methodOf(s: ReadSpan): string | null {
  return s.sc.rpcMethod ? `${s.sc.rpcService ?? ""}/${s.sc.rpcMethod}` : null;
}

/**
 * R4 chatty / N+1: per unit of work r (an inbound SERVER or CONSUMER span of A), count the
 * CLIENT calls A makes to each callee B inside r. An edge is chatty when the median count,
 * over the requests that call B at all, is >= minCallsPerRequest and at least minRequests
 * requests show it. High when those calls are mostly sequential and take more than
 * highDurationShare of r. Database, messaging and retried calls are not counted; a
 * service with role `batch` is exempt (bulk fan-out is its job).
 */
export function detectChattyCommunication(m: CouplingModel, policy: Policy, _now: number): Finding[] {
  const cfg = policy.rules["chatty-communication"];
  const own = m.ownership;
  const edges = new Map<string, EdgeAcc>();
  for (const r of m.spans) {
    if (r.kind !== KIND.SERVER && r.kind !== KIND.CONSUMER) continue;
    if (own.hasRole(r.service, "batch", "gateway", "bff")) continue;
    const calls = new Map<string, { spans: ReadSpan[]; op: string; service: boolean }>();
    const stack: ReadSpan[] = [...childrenOf(m, r)];
    let visited = 0;
    while (stack.length > 0 && visited++ < 20_000) {
      const s = stack.pop()!;
      if (s.service !== r.service || s.kind === KIND.SERVER || s.kind === KIND.CONSUMER) continue;
      if (s.kind === KIND.CLIENT) {
        if (s.sc.dbSystem || s.sc.messagingSystem) continue;
        const resend = Number(s.attributes["http.request.resend_count"] ?? 0);
        if (resend > 0) continue;
        const t = targetOf(m, s);
        if (!t || t.name === r.service) continue;
        let g = calls.get(t.name);
        if (!g) calls.set(t.name, (g = { spans: [], op: t.op, service: t.service }));
        g.spans.push(s);
        continue;
      }
      stack.push(...childrenOf(m, s));
    }
    const rDur = Math.max(1, r.endUs - r.startUs);
    for (const [target, g] of calls) {
      const key = r.service + "\u0000" + target;
      let e = edges.get(key);
      if (!e)
        edges.set(
          key,
          (e = {
            caller: r.service,
            target,
            targetIsService: g.service,
            perRequest: [],
            flagged: 0,
            sequentialHeavy: 0,
            ops: new Map(),
            ev: new EvidenceAcc(),
          }),
        );
      const n = g.spans.length;
      e.perRequest.push(n);
      if (n < cfg.minCallsPerRequest) continue;
      e.flagged++;
      e.ops.set(g.op, (e.ops.get(g.op) ?? 0) + 1);
      e.ev.add({ traceId: r.traceId, startUs: r.startUs, endUs: r.endUs }, n);
      const sorted = [...g.spans].sort((a, b) => a.startUs - b.startUs);
      let sequential = 0;
      let busy = 0;
      for (let i = 0; i < sorted.length; i++) {
        busy += sorted[i]!.endUs - sorted[i]!.startUs;
        if (i > 0 && sorted[i]!.startUs >= sorted[i - 1]!.endUs - 1000) sequential++;
      }
      if (sequential >= 0.8 * (sorted.length - 1) && busy / rDur > cfg.highDurationShare) e.sequentialHeavy++;
    }
  }
  const findings: Finding[] = [];
  for (const e of edges.values()) {
    if (e.flagged < cfg.minRequests) continue;
    const p50 = nearestRank(e.perRequest, 0.5);
    if (p50 < cfg.minCallsPerRequest) continue;
    const p90 = nearestRank(e.perRequest, 0.9);
    const high = e.sequentialHeavy * 2 >= e.flagged;
    const op = [...e.ops].sort((a, b) => b[1] - a[1])[0]![0];
    findings.push(
      makeFinding({
        rule: "chatty-communication",
        subject: `${e.caller}->${e.target}`,
        level: high ? "high" : "medium",
        title: `${e.caller} calls ${e.target} ${p50} times per request (N+1)`,
        message:
          `Each request handled by ${e.caller} makes a median of ${p50} calls (p90 ${p90}) to ${e.target}, mostly ${op}; ` +
          `${e.flagged} of ${e.perRequest.length} requests made ${cfg.minCallsPerRequest} or more. ` +
          (high ? `The calls run one after another and take a large share of the request. ` : ``) +
          `Latency grows with the number of items and ${e.caller} depends on ${e.target}'s internal granularity. ` +
          `Use a batch endpoint (one call for all items), fetch in parallel, or cache ${e.target}'s data locally.`,
        services: e.targetIsService ? [e.caller, e.target] : [e.caller],
        resources: e.targetIsService ? [edgeId(e.caller, e.target)] : [`service:${e.caller}`],
        evidence: e.ev,
        extra: {
          p50CallsPerRequest: p50,
          p90CallsPerRequest: p90,
          requests: e.perRequest.length,
          flaggedRequests: e.flagged,
          operation: op,
          sequential: high,
        },
      }),
    );
  }
  return findings;
}
