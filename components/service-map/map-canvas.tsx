"use client";
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  applyNodeChanges,
  useNodesInitialized,
  useReactFlow,
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

const nodeTypes = { cartograph: MapNodeView, "group-box": GroupNodeView };
const edgeTypes = { cartograph: MapEdgeView };
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

/** The interactive graph. Only elements in view are rendered, so 300 nodes / 1,000 edges stay fluid. */
export function MapCanvas(props: MapCanvasProps) {
  const { map, positions, layoutMode, search, fitKey, selectedNode, selectedEdge, onSelectNode, onSelectEdge } = props;
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
  useEffect(() => setNodes(built.nodes as AnyNode[]), [built.nodes]);

  // Fit once per layout/focus/search change, not on every refresh (that would fight the
  // user's zoom), and only once xyflow has measured the nodes (before that fitView is a no-op).
  const initialized = useNodesInitialized();
  const lastFit = useRef<string | null>(null);
  useEffect(() => {
    if (!initialized || lastFit.current === fitKey) return;
    lastFit.current = fitKey;
    const matches = map.matches;
    if (matches.length > 0) void flow.fitView({ nodes: matches.map((m) => ({ id: m })), padding: 0.3, maxZoom: 1.2, duration: 200 });
    else void flow.fitView({ padding: 0.1, maxZoom: 1.2 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialized, fitKey]);

  const place = (e: React.MouseEvent) => {
    const r = wrapper.current?.getBoundingClientRect();
    return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
  };
  const byId = useMemo(() => new Map(map.nodes.map((n) => [n.id, n])), [map]);

  return (
    <div className="map-canvas" ref={wrapper} data-testid="map-canvas" data-node-count={map.nodes.length} data-edge-count={map.edges.length}>
      <ReactFlow<AnyNode, MapFlowEdge>
        nodes={nodes}
        edges={built.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={(changes: NodeChange<AnyNode>[]) => setNodes((ns) => applyNodeChanges(changes, ns))}
        onNodeDragStop={(_, node) => savePositions(layoutMode, new Map([[node.id, node.position]]))}
        onNodeClick={(_, node) => node.type === "cartograph" && onSelectNode(node.id)}
        onEdgeClick={(_, edge) => onSelectEdge(edge.id)}
        onPaneClick={() => onSelectNode(null)}
        onNodeMouseEnter={(e, node) => {
          if (node.type !== "cartograph") return;
          const n = byId.get(node.id);
          if (!n) return;
          setHoveredNode(node.id);
          setTooltip({ ...place(e), title: n.label, subtitle: `${KIND_LABELS[n.node.kind]} · ${n.sub}`, stats: n.node.stats });
        }}
        onNodeMouseLeave={() => {
          setHoveredNode(null);
          setTooltip(null);
        }}
        onEdgeMouseEnter={(e, edge) => {
          const d = edge.data?.prepared;
          if (!d) return;
          setHoveredEdge(edge.id);
          const src = byId.get(d.source)?.label ?? d.source;
          const dst = byId.get(d.target)?.label ?? d.target;
          setTooltip({ ...place(e), title: `${src} → ${dst}`, subtitle: d.edge.protocol ?? "", stats: d.edge.stats });
        }}
        onEdgeMouseLeave={() => {
          setHoveredEdge(null);
          setTooltip(null);
        }}
        onlyRenderVisibleElements
        nodesConnectable={false}
        minZoom={0.05}
        maxZoom={2}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} color="var(--grid)" />
        <Controls showInteractive={false} />
        {map.nodes.length > 30 && <MiniMap pannable zoomable nodeColor={() => "var(--muted)"} maskColor="rgba(0,0,0,0.25)" />}
      </ReactFlow>
      <MapTooltip state={tooltip} />
    </div>
  );
}
