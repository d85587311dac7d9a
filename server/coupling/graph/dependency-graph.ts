import "server-only";
import type { CouplingModel } from "../model/build-model";
import { callExtent, EvidenceAcc, logicalCaller } from "../model/build-model";
import type { Policy } from "../policy/schema";

/** One owner-level sync dependency with its weights (calls, errors, traces, share of the caller's calls, p95). */
export interface DependencyEdge {
  from: string;
  to: string;
  calls: number;
  errors: number;
  traces: number;
  /** Share of the caller's outbound calls (DRDS). */
  share: number;
  p95Ms: number;
  /** The deployables behind the two owners, for messages. */
  fromServices: string[];
  toServices: string[];
  evidence: EvidenceAcc;
}

/** The owner-level sync graph after minimum support. Rules on it never touch spans. */
export interface DependencyGraph {
  nodes: string[];
  edges: DependencyEdge[];
  /** Edges rejected by minimum support, kept for "why is there no finding" answers. */
  weakEdges: number;
}

const INFRA_ROLES = ["gateway", "sidecar"] as const;

/**
 * Builds G_sync over owner groups. Infra services (gateway, sidecar) are contracted:
 * A -> gw -> B becomes A -> B, so a gateway does not manufacture cycles or fan-in.
 * `keepInfra` keeps the gateway as a node (for entry/bypass views).
 */
export function buildDependencyGraph(
  m: CouplingModel,
  policy: Policy,
  opts: { contractInfra?: boolean } = {},
): DependencyGraph {
  const contract = opts.contractInfra ?? true;
  const own = m.ownership;
  const isInfra = (s: string) => contract && own.hasRole(s, ...INFRA_ROLES);
  interface Acc {
    from: string;
    to: string;
    calls: number;
    errors: number;
    traces: Set<string>;
    durations: number[];
    fromS: Set<string>;
    toS: Set<string>;
    ev: EvidenceAcc;
  }
  const acc = new Map<string, Acc>();
  const nodes = new Set<string>();
  for (const s of m.services) if (!isInfra(s)) nodes.add(own.ownerOf(s));
  for (const c of m.serviceCalls) {
    if (isInfra(c.calleeService)) continue;
    const callerSvc = isInfra(c.callerService) ? logicalCaller(m, c, isInfra) : c.callerService;
    if (callerSvc === null) continue;
    const from = own.ownerOf(callerSvc);
    const to = own.ownerOf(c.calleeService);
    if (from === to) continue;
    const key = from + "\u0000" + to;
    let a = acc.get(key);
    if (!a)
      acc.set(
        key,
        (a = {
          from,
          to,
          calls: 0,
          errors: 0,
          traces: new Set(),
          durations: [],
          fromS: new Set(),
          toS: new Set(),
          ev: new EvidenceAcc(),
        }),
      );
    a.calls++;
    if (c.error) a.errors++;
    a.traces.add(c.traceId);
    if (a.durations.length < 2000) a.durations.push((c.server.endUs - c.server.startUs) / 1000);
    a.fromS.add(callerSvc);
    a.toS.add(c.calleeService);
    a.ev.add(callExtent(c));
  }
  const outCalls = new Map<string, number>();
  for (const a of acc.values()) outCalls.set(a.from, (outCalls.get(a.from) ?? 0) + a.calls);
  const edges: DependencyEdge[] = [];
  let weak = 0;
  const st = policy.settings;
  for (const a of acc.values()) {
    const share = a.calls / (outCalls.get(a.from) ?? a.calls);
    if (a.calls < st.minCalls || a.traces.size < st.minTraces || share < st.minShare) {
      weak++;
      continue;
    }
    edges.push({
      from: a.from,
      to: a.to,
      calls: a.calls,
      errors: a.errors,
      traces: a.traces.size,
      share,
      p95Ms: nearestRank(a.durations, 0.95),
      fromServices: [...a.fromS].sort(),
      toServices: [...a.toS].sort(),
      evidence: a.ev,
    });
  }
  edges.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
  return { nodes: [...nodes].sort(), edges, weakEdges: weak };
}

/**
 * The q-quantile of raw samples by nearest rank (an observed value, never interpolated); 0 with
 * no samples. The coupling rules' one percentile of counts and durations; RED latency
 * percentiles come from sketches (server/aggregate/red latencyQuantiles).
 */
export function nearestRank(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const v = [...values].sort((a, b) => a - b);
  const idx = Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1));
  return v[idx]!;
}

export function adjacencyOf(g: { nodes: string[]; edges: { from: string; to: string }[] }): Map<string, string[]> {
  const adj = new Map<string, string[]>();
  for (const n of g.nodes) adj.set(n, []);
  for (const e of g.edges) {
    if (!adj.has(e.from)) adj.set(e.from, []);
    if (!adj.has(e.to)) adj.set(e.to, []);
    adj.get(e.from)!.push(e.to);
  }
  return adj;
}
