/**
 * Benchmark of the graph-level coupling rules (cycles, hubs, fan-out) on synthetic graphs
 * of 50, 300 and 1,000 services with 5 edges per service. Target: under 1 s at 1,000
 * services / 5,000 edges. `benchCoupling()` returns one row per size; run this file to print.
 */
import {
  defaultPolicy,
  EvidenceAcc,
  resolveOwnership,
  runGraphRules,
  type DependencyEdge,
  type DependencyGraph,
} from "../../server/coupling";

export interface CouplingBenchRow {
  services: number;
  edges: number;
  findings: number;
  ms: number;
}

/** Deterministic pseudo-random graph: mostly layered (acyclic) edges plus a few back edges and hubs. */
export function makeSyntheticGraph(services: number, edgesPerService = 5, seed = 42): DependencyGraph {
  let x = seed >>> 0;
  const rand = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 0x100000000;
  const nodes = Array.from({ length: services }, (_, i) => `svc-${String(i).padStart(4, "0")}`);
  const seen = new Set<string>();
  const edges: DependencyEdge[] = [];
  const target = services * edgesPerService;
  while (edges.length < target) {
    const a = Math.floor(rand() * services);
    // 2 % back edges make cycles; 10 % of edges go to a few hubs.
    let b =
      rand() < 0.1
        ? Math.floor(rand() * 5)
        : rand() < 0.02
          ? Math.floor(rand() * services)
          : a + 1 + Math.floor(rand() * Math.max(1, services - a - 1));
    if (b >= services) b = services - 1;
    if (a === b) continue;
    const key = `${a}>${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const ev = new EvidenceAcc();
    ev.add({ traceId: `t${edges.length}`, startUs: 1.7e15, endUs: 1.7e15 + 1000 }, 25);
    edges.push({
      from: nodes[a]!,
      to: nodes[b]!,
      calls: 25,
      errors: 0,
      traces: 5,
      share: 0.2,
      p95Ms: rand() * 200,
      fromServices: [nodes[a]!],
      toServices: [nodes[b]!],
      evidence: ev,
    });
  }
  return { nodes, edges, weakEdges: 0 };
}

export function benchCoupling(sizes: number[] = [50, 300, 1000]): CouplingBenchRow[] {
  const policy = defaultPolicy();
  const rows: CouplingBenchRow[] = [];
  for (const n of sizes) {
    const graph = makeSyntheticGraph(n);
    const ownership = resolveOwnership({ ...policy, inferGroups: false }, new Map(graph.nodes.map((s) => [s, {}])));
    const t0 = performance.now();
    const findings = runGraphRules({ ownership, graph }, policy, Date.now());
    rows.push({
      services: n,
      edges: graph.edges.length,
      findings: findings.length,
      ms: Math.round((performance.now() - t0) * 10) / 10,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of benchCoupling())
    console.log(
      `coupling graph rules: ${r.services} services, ${r.edges} edges -> ${r.findings} findings in ${r.ms} ms`,
    );
}
