"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
  type Edge,
  type Node,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useEffect, useMemo, useRef, useState } from "react";
import { FlowReuseCache, buildBaseFlow, decorateFlow } from "./build-flow";
import type { Point } from "./layout-positions";
import { MapEdgeView, type MapFlowEdge } from "./map-edge";
import { GroupNodeView, MapNodeView, type GroupFlowNode, type MapFlowNode } from "./map-node";
import { MapTooltip, type TooltipState } from "./map-tooltip";
import { KIND_LABELS } from "./node-kinds";
import { savePositions } from "./position-cache";
import type { PreparedMap } from "./prepare-map";

/** Width of the side panel (app/globals.css .side-panel). */
const PANEL_WIDTH = 380;

/** Keeps `measured` from the previous node of each id on the nodes that replace them. */
export function carryMeasured(prev: AnyNode[], next: AnyNode[], origin: WeakMap<AnyNode, AnyNode>): AnyNode[] {
  const byId = new Map(prev.map((n) => [n.id, n]));
  return next.map((n) => {
    const p = byId.get(n.id);
    if (!p?.measured || n.measured) return n;
    if ((origin.get(p) ?? p) === n) return p; // the same node as before: keep the measured object
    const carried = { ...n, measured: p.measured } as AnyNode;
    origin.set(carried, n);
    return carried;
  });
}

/** The flow position of the selected node's centre, or of the selected edge's midpoint. */
function selectionCentre(
  flow: ReturnType<typeof useReactFlow>,
  node: string | null,
  edge: string | null,
): { x: number; y: number } | null {
  const centreOf = (id: string) => {
    const n = flow.getInternalNode(id);
    if (!n) return null;
    const w = n.measured?.width ?? 180;
    const h = n.measured?.height ?? 46;
    return { x: n.internals.positionAbsolute.x + w / 2, y: n.internals.positionAbsolute.y + h / 2 };
  };
  if (node) return centreOf(node);
  const e = edge ? flow.getEdge(edge) : undefined;
  if (!e) return null;
  const a = centreOf(e.source);
  const b = centreOf(e.target);
  return a && b ? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } : (a ?? b);
}

const nodeTypes = { cartograph: MapNodeView, "group-box": GroupNodeView };
const edgeTypes = { cartograph: MapEdgeView };
const proOptions = { hideAttribution: true };
type AnyNode = MapFlowNode | GroupFlowNode;

export interface MapCanvasProps {
  map: PreparedMap;
  positions: Map<string, Point>;
  layoutMode: string;
  search: string;
  fitKey: string;
  selectedNode: string | null;
  selectedEdge: string | null;
  onSelectNode: (id: string | null) => void;
  onSelectEdge: (id: string | null) => void;
}

/**
 * The interactive graph. Only elements in view are rendered, and every prop handed to
 * ReactFlow keeps its identity between renders (handlers read the latest values through a
 * ref): a changed prop is a store update that makes all 1,000+ edge wrappers re-check.
 */
export function MapCanvas(props: MapCanvasProps) {
  const { map, positions, layoutMode, search, fitKey, selectedNode, selectedEdge } = props;
  const [hoveredNode, setHoveredNode] = useState<string | null>(null);
  const [hoveredEdge, setHoveredEdge] = useState<string | null>(null);
  const [tooltip, setTooltip] = useState<TooltipState | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = useReactFlow();

  const reuse = useRef(new FlowReuseCache());
  const base = useMemo(() => buildBaseFlow(map, positions, search, reuse.current), [map, positions, search]);
  const built = useMemo(
    () => decorateFlow(base, { selectedNode, selectedEdge, hoveredNode, hoveredEdge }),
    [base, selectedNode, selectedEdge, hoveredNode, hoveredEdge],
  );
  const [nodes, setNodes] = useState<AnyNode[]>(built.nodes as AnyNode[]);
  // xyflow hides a node until it knows its size, and it takes the size from the node object: a
  // fresh object (selection, refresh, diff) without `measured` would stay invisible whenever its
  // box did not change size (no ResizeObserver callback), which left the canvas blank. Every
  // replacement therefore carries the size already measured for its id.
  const origin = useRef(new WeakMap<AnyNode, AnyNode>());
  useEffect(() => setNodes((prev) => carryMeasured(prev, built.nodes as AnyNode[], origin.current)), [built.nodes]);

  // Fit once per layout/focus/search change, not on every refresh (that would fight the
  // user's zoom), and only once xyflow has measured the nodes (before that fitView is a no-op).
  const initialized = useNodesInitialized();
  const lastFit = useRef<string | null>(null);
  // Hidden until the first fit: a click on a node that is still jumping into place would be
  // taken for a drag and lost.
  const [fitted, setFitted] = useState(false);
  useEffect(() => {
    if (!initialized || lastFit.current === fitKey) return;
    lastFit.current = fitKey;
    const matches = map.matches;
    const done =
      matches.length > 0
        ? flow.fitView({
            nodes: matches.map((m) => ({ id: m })),
            padding: 0.3,
            maxZoom: 1.2,
            duration: fitted ? 200 : 0,
          })
        : flow.fitView({ padding: 0.1, maxZoom: 1.2 });
    void Promise.resolve(done).then(() => requestAnimationFrame(() => setFitted(true)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialized, fitKey]);

  // The side panel overlays the right of the canvas: a selected node (or edge) hidden behind it
  // or outside the view is panned to the middle of the part left visible.
  useEffect(() => {
    if (!fitted || (!selectedNode && !selectedEdge)) return;
    const el = wrapper.current;
    if (!el) return;
    const centre = selectionCentre(flow, selectedNode, selectedEdge);
    if (!centre) return;
    const { zoom } = flow.getViewport();
    const rect = el.getBoundingClientRect();
    const panel = Math.min(PANEL_WIDTH, rect.width / 2);
    const screen = flow.flowToScreenPosition(centre);
    const x = screen.x - rect.left;
    const y = screen.y - rect.top;
    const margin = 40;
    if (x > margin && x < rect.width - panel - margin && y > margin && y < rect.height - margin) return;
    void flow.setCenter(centre.x + panel / 2 / zoom, centre.y, { zoom, duration: 250 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedNode, selectedEdge, fitted]);

  const latest = useRef({ props, byId: new Map<string, PreparedMap["nodes"][number]>() });
  latest.current.props = props;
  latest.current.byId = useMemo(() => new Map(map.nodes.map((n) => [n.id, n])), [map]);

  const handlers = useMemo(() => {
    const place = (e: React.MouseEvent) => {
      const r = wrapper.current?.getBoundingClientRect();
      return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
    };
    const clearHover = () => {
      setHoveredNode(null);
      setHoveredEdge(null);
      setTooltip(null);
    };
    return {
      onNodesChange: (changes: NodeChange<AnyNode>[]) =>
        setNodes((ns) => {
          // Keyboard: Tab reaches a node, Enter or Space selects it (xyflow reports a select change).
          const picked = changes.find((c) => c.type === "select" && c.selected);
          if (
            picked &&
            "id" in picked &&
            picked.id !== latest.current.props.selectedNode &&
            latest.current.byId.has(picked.id)
          ) {
            queueMicrotask(() => latest.current.props.onSelectNode(picked.id));
          }
          const next = applyNodeChanges(changes, ns);
          for (let i = 0; i < next.length; i++) {
            const before = ns[i];
            if (before && next[i] !== before && next[i]!.id === before.id)
              origin.current.set(next[i]!, origin.current.get(before) ?? before);
          }
          return next;
        }),
      onNodeDragStop: (_: unknown, node: Node) =>
        savePositions(latest.current.props.layoutMode, new Map([[node.id, node.position]])),
      onNodeClick: (_: unknown, node: Node) => node.type === "cartograph" && latest.current.props.onSelectNode(node.id),
      onEdgeClick: (_: unknown, edge: Edge) => latest.current.props.onSelectEdge(edge.id),
      onPaneClick: () => latest.current.props.onSelectNode(null),
      onNodeMouseEnter: (e: React.MouseEvent, node: Node) => {
        if (node.type !== "cartograph") return;
        const n = latest.current.byId.get(node.id);
        if (!n) return;
        setHoveredNode(node.id);
        setTooltip({
          ...place(e),
          title: n.label,
          subtitle: `${KIND_LABELS[n.node.kind]} · ${n.sub}`,
          stats: n.node.stats,
        });
      },
      onEdgeMouseEnter: (e: React.MouseEvent, edge: MapFlowEdge) => {
        const d = edge.data?.prepared;
        if (!d) return;
        const byId = latest.current.byId;
        setHoveredEdge(edge.id);
        setTooltip({
          ...place(e),
          title: `${byId.get(d.source)?.label ?? d.source} → ${byId.get(d.target)?.label ?? d.target}`,
          subtitle: d.edge.protocol ?? "",
          stats: d.edge.stats,
        });
      },
      onMouseLeave: clearHover,
    };
  }, []);

  const canvas = useMemo(
    () => (
      <ReactFlow<AnyNode, MapFlowEdge>
        nodes={nodes}
        edges={built.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={handlers.onNodesChange}
        onNodeDragStop={handlers.onNodeDragStop}
        onNodeClick={handlers.onNodeClick}
        onEdgeClick={handlers.onEdgeClick}
        onPaneClick={handlers.onPaneClick}
        onNodeMouseEnter={handlers.onNodeMouseEnter}
        onNodeMouseLeave={handlers.onMouseLeave}
        onEdgeMouseEnter={handlers.onEdgeMouseEnter}
        onEdgeMouseLeave={handlers.onMouseLeave}
        onlyRenderVisibleElements
        nodesConnectable={false}
        minZoom={0.05}
        maxZoom={2}
        proOptions={proOptions}
      >
        <Background gap={24} color="var(--grid)" />
        <Controls showInteractive={false} />
        {map.nodes.length > 30 && <MiniMap pannable zoomable nodeColor="#8b96a5" maskColor="rgba(0,0,0,0.25)" />}
      </ReactFlow>
    ),
    [nodes, built.edges, handlers, map.nodes.length],
  );

  return (
    <div
      className="map-canvas"
      ref={wrapper}
      style={fitted ? undefined : { visibility: "hidden" }}
      data-testid="map-canvas"
      data-node-count={map.nodes.length}
      data-edge-count={map.edges.length}
      data-layout={layoutMode}
    >
      {canvas}
      <MapTooltip state={tooltip} />
    </div>
  );
}
