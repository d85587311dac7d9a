import { MarkerType } from "@xyflow/react";
import { computeGroupBoxes, type Point } from "./layout-positions";
import { LABEL_EDGE_LIMIT, type PreparedMap } from "./prepare-map";
import type { GroupFlowNode, MapFlowNode } from "./map-node";
import type { MapFlowEdge } from "./map-edge";

/** SVG marker fills cannot use CSS variables; these match --edge / --warning / --critical. */
const MARKER_COLORS = { ok: "#7d8794", warning: "#d29922", critical: "#f85149" } as const;

export interface FlowState {
  search: string;
  selectedNode: string | null;
  selectedEdge: string | null;
  hoveredNode: string | null;
  hoveredEdge: string | null;
}

/** xyflow nodes (group boxes first, behind) and edges for a prepared map at the given positions. */
export function buildFlow(map: PreparedMap, positions: Map<string, Point>, s: FlowState) {
  const searching = s.search.trim().length > 0;
  const groupOf = new Map(map.nodes.map((n) => [n.id, n.group]));
  const boxes: GroupFlowNode[] = computeGroupBoxes(positions, groupOf).map((b) => ({
    id: b.id,
    type: "group-box",
    position: { x: b.x, y: b.y },
    data: { label: b.label },
    style: { width: b.width, height: b.height },
    draggable: false,
    selectable: false,
    focusable: false,
    zIndex: -1,
  }));
  const nodes: MapFlowNode[] = map.nodes.map((n) => ({
    id: n.id,
    type: "cartograph",
    position: positions.get(n.id) ?? { x: 0, y: 0 },
    data: { prepared: n, dimmed: searching && !n.match },
    selected: n.id === s.selectedNode,
  }));
  const hoverNode = s.hoveredNode;
  const edges: MapFlowEdge[] = map.edges.map((e) => ({
    id: e.id,
    type: "cartograph",
    source: e.source,
    target: e.target,
    selected: e.id === s.selectedEdge,
    markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, markerUnits: "userSpaceOnUse", color: MARKER_COLORS[e.severity] },
    data: {
      prepared: e,
      dimmed: searching && !(map.matches.includes(e.source) || map.matches.includes(e.target)),
      showLabel: map.edges.length <= LABEL_EDGE_LIMIT,
      hovered: e.id === s.hoveredEdge || (!!hoverNode && (e.source === hoverNode || e.target === hoverNode)),
    },
  }));
  return { nodes: [...boxes, ...nodes] as Array<MapFlowNode | GroupFlowNode>, edges };
}
