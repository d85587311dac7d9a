import type { ElkNode } from "elkjs/lib/elk-api";
import { LAYER_GAP, NODE_HEIGHT, NODE_WIDTH, type Point } from "./positions";

/**
 * The ELK input for a map and the positions read back from ELK's answer: shared by the
 * browser's layout worker and the server's layout thread, so both lay a map out the same way.
 */

export interface LayoutEdge {
  id: string;
  source: string;
  target: string;
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

/** Hidden layout-only box for ungrouped nodes when grouping is on (no box is drawn for it). */
const UNGROUPED = "\u0000ungrouped";

/**
 * Builds the ELK input. Without grouping: one layered graph. With grouping: each group is
 * laid out layered inside its own box, and the boxes are packed into a near-screen-shaped
 * grid (rectpacking). Cross-group edges are left out of ELK (xyflow still draws them): the
 * hierarchical alternative (INCLUDE_CHILDREN) took 4.8 s for 300 nodes and strung the boxes
 * out diagonally; this takes under a second and fills the screen.
 */
export function buildElkGraph(nodeIds: string[], edges: LayoutEdge[], groupOf: Map<string, string | null>): ElkNode {
  const sorted = [...nodeIds].sort();
  const options = sorted.length > LARGE_GRAPH_NODES ? FAST_OPTIONS : BASE_OPTIONS;
  const leaf = (id: string): ElkNode => ({ id, width: NODE_WIDTH, height: NODE_HEIGHT });
  const known = new Set(sorted);
  const elkEdges = [...edges]
    .filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target)
    .sort((a, b) => a.id.localeCompare(b.id));
  const toElk = (e: LayoutEdge) => ({
    id: e.id,
    sources: [e.source],
    targets: [e.target],
  });

  const grouped = sorted.some((id) => !!groupOf.get(id));
  if (!grouped) return { id: "root", layoutOptions: options, children: sorted.map(leaf), edges: elkEdges.map(toElk) };

  const boxOf = (id: string) => groupOf.get(id) || UNGROUPED;
  const boxes = new Map<string, ElkNode>();
  for (const id of sorted) {
    const g = boxOf(id);
    if (!boxes.has(g)) {
      // Spacing applies per parent: each box carries the layered options for its children.
      boxes.set(g, {
        id: `group:${g}`,
        children: [],
        edges: [],
        layoutOptions: { ...options, "elk.padding": "[top=38,left=24,bottom=24,right=24]" },
      });
    }
    boxes.get(g)!.children!.push(leaf(id));
  }
  for (const e of elkEdges) if (boxOf(e.source) === boxOf(e.target)) boxes.get(boxOf(e.source))!.edges!.push(toElk(e));
  return {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "rectpacking",
      "elk.aspectRatio": "1.6",
      "elk.spacing.nodeNode": "48",
      "elk.hierarchyHandling": "SEPARATE_CHILDREN",
    },
    children: [...boxes.values()],
  };
}

/** Absolute top-left positions per leaf node id from ELK's answer (boxes add their offset). */
export function collectElkPositions(out: ElkNode): Map<string, Point> {
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
