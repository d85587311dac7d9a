import "server-only";
import type { CouplingModel } from "./model/build-model";
import type { Policy } from "./policy/schema";
import { buildDependencyGraph } from "./graph/dependency-graph";
import { adjacencyOf } from "./graph/dependency-graph";
import { findStronglyConnected } from "./graph/scc";
import { KIND } from "./types";

/** Per-service coupling metrics (fan-in, fan-out, instability and the like; /api/v1/coupling/metrics). */
export interface ServiceCouplingMetrics {
  service: string;
  owner: string;
  /** Distinct calling services (service.name level, sync calls with minimum support). */
  fanIn: number;
  /** Distinct called services. */
  fanOut: number;
  /** AIS / ADS: distinct caller / callee owner groups (own group excluded). */
  ais: number;
  ads: number;
  /** ACS = AIS * ADS. */
  acs: number;
  /** ADS / (AIS + ADS); 0 for an isolated service. */
  instability: number;
  /** Distinct operations served (http.route / rpc.method). */
  wsic: number;
  callsIn: number;
  callsOut: number;
  inCycle: boolean;
  /** The owner groups of its strongly connected component when inCycle. */
  cycle: string[];
  callers: string[];
  callees: string[];
}

export interface SystemCouplingMetrics {
  services: number;
  edges: number;
  cycles: number;
  largestCycle: number;
  /** Share of owner groups in a non-trivial SCC. */
  cyclicShare: number;
  /** SIY: mutually dependent owner pairs. */
  interdependentPairs: number;
  /** ADCS: mean ADS. */
  meanAds: number;
}

export function computeCouplingMetrics(
  m: CouplingModel,
  policy: Policy,
): { services: ServiceCouplingMetrics[]; system: SystemCouplingMetrics } {
  const own = m.ownership;
  const ownerGraph = buildDependencyGraph(m, policy, { contractInfra: false });
  const serviceGraph = buildDependencyGraph(
    m,
    { ...policy, groups: {}, inferGroups: false, groupByNamespace: false },
    { contractInfra: false },
  );
  const sccs = findStronglyConnected(adjacencyOf(ownerGraph)).filter((c) => c.length >= 2);
  const sccOf = new Map<string, string[]>();
  for (const c of sccs) for (const n of c) sccOf.set(n, c);
  const svcIn = new Map<string, Set<string>>();
  const svcOut = new Map<string, Set<string>>();
  const callsIn = new Map<string, number>();
  const callsOut = new Map<string, number>();
  const add = (mm: Map<string, Set<string>>, k: string, v: string) =>
    (mm.get(k) ?? mm.set(k, new Set()).get(k)!).add(v);
  for (const e of serviceGraph.edges) {
    add(svcIn, e.to, e.from);
    add(svcOut, e.from, e.to);
    callsIn.set(e.to, (callsIn.get(e.to) ?? 0) + e.calls);
    callsOut.set(e.from, (callsOut.get(e.from) ?? 0) + e.calls);
  }
  const ownIn = new Map<string, Set<string>>();
  const ownOut = new Map<string, Set<string>>();
  for (const e of ownerGraph.edges) {
    add(ownIn, e.to, e.from);
    add(ownOut, e.from, e.to);
  }
  const ops = new Map<string, Set<string>>();
  for (const s of m.spans) {
    if (s.kind !== KIND.SERVER) continue;
    const op = s.sc.httpRoute ?? (s.sc.rpcMethod ? `${s.sc.rpcService ?? ""}/${s.sc.rpcMethod}` : null);
    if (op) add(ops, s.service, op);
  }
  const services = [...m.services].sort().map((service): ServiceCouplingMetrics => {
    const owner = own.ownerOf(service);
    const ais = ownIn.get(owner)?.size ?? 0;
    const ads = ownOut.get(owner)?.size ?? 0;
    const cycle = sccOf.get(owner) ?? [];
    return {
      service,
      owner,
      fanIn: svcIn.get(service)?.size ?? 0,
      fanOut: svcOut.get(service)?.size ?? 0,
      ais,
      ads,
      acs: ais * ads,
      instability: ais + ads === 0 ? 0 : Math.round((ads / (ais + ads)) * 1000) / 1000,
      wsic: ops.get(service)?.size ?? 0,
      callsIn: callsIn.get(service) ?? 0,
      callsOut: callsOut.get(service) ?? 0,
      inCycle: cycle.length > 0,
      cycle,
      callers: [...(svcIn.get(service) ?? [])].sort(),
      callees: [...(svcOut.get(service) ?? [])].sort(),
    };
  });
  const pairs = new Set(ownerGraph.edges.map((e) => e.from + "\u0000" + e.to));
  let siy = 0;
  for (const e of ownerGraph.edges) if (e.from < e.to && pairs.has(e.to + "\u0000" + e.from)) siy++;
  const owners = ownerGraph.nodes.length;
  const inCycles = sccs.reduce((n, c) => n + c.length, 0);
  return {
    services,
    system: {
      services: owners,
      edges: ownerGraph.edges.length,
      cycles: sccs.length,
      largestCycle: sccs.reduce((n, c) => Math.max(n, c.length), 0),
      cyclicShare: owners === 0 ? 0 : Math.round((inCycles / owners) * 1000) / 1000,
      interdependentPairs: siy,
      meanAds: owners === 0 ? 0 : Math.round((ownerGraph.edges.length / owners) * 100) / 100,
    },
  };
}
