"use client";
import type { ElkNode } from "elkjs/lib/elk-api";
import { LAYER_GAP, NODE_HEIGHT, NODE_WIDTH, type Point } from "./layout-positions";

type ElkInstance = { layout: (graph: ElkNode) => Promise<ElkNode> };
let elk: Promise<ElkInstance> | null = null;

/**
 * ELK runs in a Web Worker (public/elk-worker.min.js, copied from elkjs/lib) so laying out
 * 300 services never freezes the page; the API module is loaded on first use only.
 */
function getElk(): Promise<ElkInstance> {
  if (!elk) {
    elk = import("elkjs/lib/elk-api").then((m) => {
      const ELK = (m as unknown as { default: new (o: object) => ElkInstance }).default;
      return new ELK({ workerUrl: "/elk-worker.min.js" });
    });
  }
  return elk;
}

/**
 * Measured on 300 nodes / 1,240 edges (elkjs 0.12, one core): NETWORK_SIMPLEX placement with
 * model-order crossing minimisation took 32 s, BRANDES_KOEPF 2.3 s, and BRANDES_KOEPF with
 * thoroughness 1, no greedy switch and polyline routing 1.1 s. Big maps take the fast set
 * (xyflow draws its own curves, ELK's routes are not used anyway).
 */
const BASE_OPTIONS: Record<string, string> = {
  "elk.algorithm": "layered",
  "elk.direction": "RIGHT",
  "elk.layered.spacing.nodeNodeBetweenLayers": String(LAYER_GAP),
  "elk.spacing.nodeNode": "22",
  "elk.spacing.componentComponent": "40",
  "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
};
const FAST_OPTIONS: Record<string, string> = {
  ...BASE_OPTIONS,
  // Big maps hide edge labels until hover, so layers can sit closer: a tighter overview.
  "elk.layered.spacing.nodeNodeBetweenLayers": "110",
  "elk.spacing.nodeNode": "14",
  "elk.layered.thoroughness": "1",
  "elk.layered.crossingMinimization.greedySwitch.type": "OFF",
  "elk.edgeRouting": "POLYLINE",
};
const LARGE_GRAPH_NODES = 80;

/**
 * Layered layout of the whole graph; nodes sharing a group are laid out inside one compound
 * node. Input is sorted by id so the same graph always gives the same picture. Returns
 * absolute top-left positions per node id.
 */
export async function computeElkPositions(
  nodeIds: string[],
  edges: Array<{ id: string; source: string; target: string }>,
  groupOf: Map<string, string | null>,
): Promise<Map<string, Point>> {
  const sorted = [...nodeIds].sort();
  const options = sorted.length > LARGE_GRAPH_NODES ? FAST_OPTIONS : BASE_OPTIONS;
  const leaf = (id: string): ElkNode => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT });
  const groups = new Map<string, ElkNode>();
  const children: ElkNode[] = [];
  for (const id of sorted) {
    const g = groupOf.get(id);
    if (!g) {
      children.push(leaf(id));
      continue;
    }
    if (!groups.has(g)) {
      // Spacing applies per parent: the group repeats the root's options for its children.
      const box: ElkNode = { id: `group:${g}`, children: [], layoutOptions: { ...options, "elk.padding": "[top=38,left=24,bottom=24,right=24]" } };
      groups.set(g, box);
      children.push(box);
    }
    groups.get(g)!.children!.push(leaf(id));
  }
  const known = new Set(sorted);
  const graph: ElkNode = {
    id: "root",
    layoutOptions: groups.size > 0 ? { ...options, "elk.hierarchyHandling": "INCLUDE_CHILDREN" } : options,
    children,
    edges: [...edges]
      .filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  };
  const out = await (await getElk()).layout(graph);
  const positions = new Map<string, Point>();
  const collect = (n: ElkNode, ox: number, oy: number) => {
    for (const c of n.children ?? []) {
      const x = ox + (c.x ?? 0);
      const y = oy + (c.y ?? 0);
      if (c.children && c.children.length) collect(c, x, y);
      else positions.set(c.id, { x, y });
    }
  };
  collect(out, 0, 0);
  return positions;
}
