import { MarkerType, Position, type NodeHandle } from "@xyflow/react";
import { computeGroupBoxes, NODE_HEIGHT, NODE_WIDTH, type Point } from "@/lib/map-layout/positions";
import { LABEL_EDGE_LIMIT, type PreparedMap } from "./prepare-map";
import type { GroupFlowNode, MapFlowNode } from "./map-node";
import type { MapFlowEdge } from "./map-edge";

/** SVG marker fills cannot use CSS variables; these match --edge / --warning / --critical. */
const MARKER_COLORS = { ok: "#7d8794", warning: "#d29922", critical: "#f85149" } as const;

/**
 * xyflow's arrow fills a quarter of the marker box; in user space units the head is then
 * about 8 px + 1.5× the stroke, visible on thin edges and not huge on thick ones.
 */
export function markerSize(strokeWidth: number): number {
  return 4 * Math.round(8 + 1.5 * strokeWidth);
}

export type AnyFlowNode = MapFlowNode | GroupFlowNode;

/**
 * Every map node is a fixed NODE_WIDTH × NODE_HEIGHT box (app/globals.css .map-node) with one
 * 1 px handle per side, so nodes carry their size and handles: xyflow then shows them, places
 * the edges and fits the view in the first render instead of measuring 300 nodes first (a
 * ResizeObserver pass, a store update and a second render of every edge). When the DOM
 * disagrees, xyflow's own measurement still corrects it.
 */
const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };
const HANDLE_Y = NODE_HEIGHT / 2 - 0.5;
const NODE_HANDLES: NodeHandle[] = [
  { type: "target", position: Position.Left, x: 1.5, y: HANDLE_Y, width: 1, height: 1 },
  { type: "source", position: Position.Right, x: NODE_WIDTH - 3.5, y: HANDLE_Y, width: 1, height: 1 },
];
export interface BaseFlow {
  nodes: AnyFlowNode[];
  edges: MapFlowEdge[];
}

/**
 * Keeps the previous object when nothing drawn changed, so a refresh of a 300-node map
 * re-renders only the nodes and edges whose numbers moved (node components are memoised).
 */
export class FlowReuseCache {
  private nodes = new Map<string, { sig: string; node: AnyFlowNode }>();
  private edges = new Map<string, { sig: string; edge: MapFlowEdge }>();
  node<T extends AnyFlowNode>(sig: string, make: () => T, id: string): T {
    const hit = this.nodes.get(id);
    if (hit && hit.sig === sig) return hit.node as T;
    const node = make();
    this.nodes.set(id, { sig, node });
    return node;
  }
  edge(sig: string, make: () => MapFlowEdge, id: string): MapFlowEdge {
    const hit = this.edges.get(id);
    if (hit && hit.sig === sig) return hit.edge;
    const edge = make();
    this.edges.set(id, { sig, edge });
    return edge;
  }
}

/** xyflow nodes (group boxes first, behind) and edges, without selection or hover state. */
export function buildBaseFlow(
  map: PreparedMap,
  positions: Map<string, Point>,
  search: string,
  cache = new FlowReuseCache(),
): BaseFlow {
  const searching = search.trim().length > 0;
  const matches = new Set(map.matches);
  const groupOf = new Map(map.nodes.map((n) => [n.id, n.group]));
  const boxes = computeGroupBoxes(positions, groupOf).map((b) =>
    cache.node(
      JSON.stringify(b),
      (): GroupFlowNode => ({
        id: b.id,
        type: "group-box",
        position: { x: b.x, y: b.y },
        data: { label: b.label },
        style: { width: b.width, height: b.height },
        width: b.width,
        height: b.height,
        measured: { width: b.width, height: b.height },
        draggable: false,
        selectable: false,
        focusable: false,
        zIndex: -1,
      }),
      b.id,
    ),
  );
  const nodes = map.nodes.map((n) => {
    const position = positions.get(n.id) ?? { x: 0, y: 0 };
    const dimmed = searching && !n.match;
    const sig = JSON.stringify([
      position,
      dimmed,
      n.label,
      n.sub,
      n.health,
      n.match,
      n.node.stats,
      n.change,
      n.changeReasons,
    ]);
    return cache.node(
      sig,
      (): MapFlowNode => ({
        id: n.id,
        type: "cartograph",
        position,
        data: { prepared: n, dimmed },
        ...NODE_SIZE,
        measured: NODE_SIZE,
        handles: NODE_HANDLES,
      }),
      n.id,
    );
  });
  const showLabel = map.edges.length <= LABEL_EDGE_LIMIT;
  const edges = map.edges.map((e) => {
    const dimmed = searching && !(matches.has(e.source) || matches.has(e.target));
    const sig = JSON.stringify([
      e.width,
      e.label,
      e.severity,
      dimmed,
      showLabel,
      e.edge.stats,
      e.edge.protocol,
      e.change,
    ]);
    return cache.edge(
      sig,
      (): MapFlowEdge => ({
        id: e.id,
        type: "cartograph",
        source: e.source,
        target: e.target,
        markerEnd: {
          type: MarkerType.ArrowClosed,
          width: markerSize(e.width),
          height: markerSize(e.width),
          markerUnits: "userSpaceOnUse",
          color: MARKER_COLORS[e.severity],
        },
        // The look per state is CSS (app/globals.css, "Service map"): `faint` edges fade when
        // zoomed far out on a big map.
        className: [
          "cg-edge",
          dimmed ? "dimmed" : "",
          showLabel ? "" : "faint",
          e.edge.protocol === "messaging" ? "messaging" : "",
        ]
          .filter(Boolean)
          .join(" "),
        data: { prepared: e, dimmed, showLabel },
      }),
      e.id,
    );
  });
  return { nodes: [...boxes, ...nodes], edges };
}

export interface FlowState {
  selectedNode: string | null;
  selectedEdge: string | null;
}

/**
 * Applies the selection; untouched nodes and edges keep their identity (no re-render). Hover is
 * not applied here (see hover-store.ts): a new edges array costs a pass over every edge.
 */
export function decorateFlow(base: BaseFlow, s: FlowState): BaseFlow {
  const nodes = base.nodes.map((n) => (n.id === s.selectedNode ? { ...n, selected: true } : n));
  const edges = base.edges.map((e) => (e.id === s.selectedEdge ? { ...e, selected: true } : e));
  return { nodes, edges };
}

/** Per node, the ids of its edges (either direction), for hover emphasis and labels. */
export function indexEdgesByNode(edges: Array<{ id: string; source: string; target: string }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (node: string, id: string) => {
    const list = out.get(node);
    if (list) list.push(id);
    else out.set(node, [id]);
  };
  for (const e of edges) {
    add(e.source, e.id);
    if (e.target !== e.source) add(e.target, e.id);
  }
  return out;
}
