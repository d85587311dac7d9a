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
import { FlowReuseCache, buildBaseFlow, decorateFlow, indexEdgesByNode } from "./build-flow";
import { HoverOverlay, HoverTooltip, type HoverIndex } from "./hover-layers";
import { HoverStore } from "./hover-store";
import { EdgeBundle, MovingStore } from "./edge-bundle";
import { NODE_HEIGHT, NODE_WIDTH, type Point } from "@/lib/map-layout/positions";
import { MapEdgeView, type MapFlowEdge } from "./map-edge";
import { GroupNodeView, MapNodeView, type GroupFlowNode, type MapFlowNode } from "./map-node";
import { KIND_LABELS } from "./node-kinds";
import { savePositions } from "./position-cache";
import type { PreparedMap } from "./prepare-map";
import { planSelectionView, type Box } from "./selection-view";
import { FAINT_BELOW_ZOOM, ZoomBands } from "./zoom-bands";

/** Width of the side panel (app/globals.css .side-panel), when it is not in the DOM to measure. */
const PANEL_WIDTH = 380;
const MIN_ZOOM = 0.05;
/**
 * Edges mounted per task after the nodes' first paint. Mounting a big map's 1,241 edges in one
 * commit held the main thread for seconds on a busy machine; in slices, the nodes are on
 * screen and take clicks while the edges arrive (a click runs between two slices).
 */
const EDGE_SLICE = 250;

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

/** The node's box in flow coordinates (its measured size, else the layout's). */
function boxOf(flow: ReturnType<typeof useReactFlow>, id: string): Box | null {
  const n = flow.getInternalNode(id);
  if (!n) return null;
  const { x, y } = n.internals.positionAbsolute;
  return { x, y, width: n.measured?.width ?? NODE_WIDTH, height: n.measured?.height ?? NODE_HEIGHT };
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
 * ref): a changed prop is a store update that makes all 1,000+ edge wrappers re-check. Hover and
 * zoom never change those props (hover-store.ts, zoom-bands.tsx).
 */
export function MapCanvas(props: MapCanvasProps) {
  const { map, positions, layoutMode, search, fitKey, selectedNode, selectedEdge } = props;
  const hover = useRef(new HoverStore()).current;
  const moving = useRef(new MovingStore()).current;
  const wrapper = useRef<HTMLDivElement>(null);
  const flow = useReactFlow();

  const latest = useRef({ props, byId: new Map<string, PreparedMap["nodes"][number]>() });
  latest.current.props = props;
  latest.current.byId = useMemo(() => new Map(map.nodes.map((n) => [n.id, n])), [map]);

  const reuse = useRef(new FlowReuseCache());
  const base = useMemo(() => buildBaseFlow(map, positions, search, reuse.current), [map, positions, search]);
  const built = useMemo(() => decorateFlow(base, { selectedNode, selectedEdge }), [base, selectedNode, selectedEdge]);
  const hoverIndex = useMemo<HoverIndex>(
    () => ({
      edgesOf: indexEdgesByNode(base.edges),
      edgeById: new Map(
        base.edges.map((e) => [e.id, { edge: e.data!.prepared, showLabel: e.data!.showLabel, dimmed: e.data!.dimmed }]),
      ),
    }),
    [base],
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
    void Promise.resolve(done).then(() =>
      requestAnimationFrame(() => {
        setFitted(true);
        // The UI bench and the browser's performance panel read this mark.
        performance.mark("cartograph:map-interactive");
      }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initialized, fitKey]);

  // The side panel overlays the right of the canvas: the selection (a node, or an edge's two
  // ends) is brought beside it with its callees and callers when they fit (selection-view.ts).
  useEffect(() => {
    if (!fitted || (!selectedNode && !selectedEdge)) return;
    const el = wrapper.current;
    if (!el) return;
    const edges = latest.current.props.map.edges;
    const edge = selectedEdge ? edges.find((e) => e.id === selectedEdge) : undefined;
    const boxes = (ids: string[]) => ids.map((id) => boxOf(flow, id)).filter((b): b is Box => b !== null);
    const selection = boxes(selectedNode ? [selectedNode] : edge ? [edge.source, edge.target] : []);
    const others = (e: { source: string; target: string }) => e.source !== e.target;
    const callees = selectedNode
      ? edges.filter((e) => e.source === selectedNode && others(e)).map((e) => e.target)
      : [];
    const callers = selectedNode
      ? edges.filter((e) => e.target === selectedNode && others(e)).map((e) => e.source)
      : [];
    const rect = el.getBoundingClientRect();
    const panelEl = el.parentElement?.querySelector<HTMLElement>('[data-testid="side-panel"]');
    const panel = panelEl ? Math.max(0, rect.right - panelEl.getBoundingClientRect().left) : PANEL_WIDTH;
    const plan = planSelectionView({
      selection,
      callees: boxes(callees),
      callers: boxes(callers),
      viewport: flow.getViewport(),
      canvas: { width: rect.width, height: rect.height },
      panelWidth: Math.min(panel, rect.width / 2),
      minZoom: MIN_ZOOM,
      readableZoom: FAINT_BELOW_ZOOM,
    });
    if (plan) void flow.setViewport(plan, { duration: 250 });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedNode, selectedEdge, fitted]);

  const handlers = useMemo(() => {
    const quiet = () => hover.quiet(600);
    const place = (e: React.MouseEvent) => {
      const r = wrapper.current?.getBoundingClientRect();
      return { x: e.clientX - (r?.left ?? 0), y: e.clientY - (r?.top ?? 0) };
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
      onNodeClick: (_: unknown, node: Node) => {
        if (node.type !== "cartograph") return;
        quiet();
        latest.current.props.onSelectNode(node.id);
      },
      onEdgeClick: (_: unknown, edge: Edge) => {
        quiet();
        latest.current.props.onSelectEdge(edge.id);
      },
      onPaneClick: () => latest.current.props.onSelectNode(null),
      onNodeMouseEnter: (e: React.MouseEvent, node: Node) => {
        if (node.type !== "cartograph") return;
        const n = latest.current.byId.get(node.id);
        if (!n) return;
        hover.set({
          node: node.id,
          edge: null,
          tooltip: {
            ...place(e),
            title: n.label,
            subtitle: `${KIND_LABELS[n.node.kind]} · ${n.sub}`,
            stats: n.node.stats,
          },
        });
      },
      onEdgeMouseEnter: (e: React.MouseEvent, edge: MapFlowEdge) => {
        const d = edge.data?.prepared;
        if (!d) return;
        const byId = latest.current.byId;
        hover.set({
          node: null,
          edge: edge.id,
          tooltip: {
            ...place(e),
            title: `${byId.get(d.source)?.label ?? d.source} → ${byId.get(d.target)?.label ?? d.target}`,
            subtitle: d.edge.protocol ?? "",
            stats: d.edge.stats,
          },
        });
      },
      onMouseLeave: () => hover.clear(),
      onMoveStart: () => moving.set(true),
      onMoveEnd: () => moving.set(false),
    };
  }, [hover, moving]);

  const edges = useProgressiveEdges(built.edges, fitted);
  const edgesDone = fitted && edges === built.edges;

  const canvas = useMemo(
    () => (
      <ReactFlow<AnyNode, MapFlowEdge>
        nodes={nodes}
        edges={edges}
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
        onMoveStart={handlers.onMoveStart}
        onMoveEnd={handlers.onMoveEnd}
        onlyRenderVisibleElements
        nodesConnectable={false}
        minZoom={MIN_ZOOM}
        maxZoom={2}
        proOptions={proOptions}
      >
        <Background gap={24} color="var(--grid)" />
        <Controls showInteractive={false} />
        {/* The overview draws every node again: it comes once the edges are in, off the first paint. */}
        {map.nodes.length > 30 && edgesDone && (
          <MiniMap pannable zoomable nodeColor="#8b96a5" maskColor="rgba(0,0,0,0.25)" />
        )}
      </ReactFlow>
    ),
    [nodes, edges, handlers, map.nodes.length, edgesDone],
  );

  return (
    <div
      className="map-canvas"
      ref={wrapper}
      style={fitted ? undefined : { visibility: "hidden" }}
      data-testid="map-canvas"
      data-node-count={map.nodes.length}
      data-edge-count={map.edges.length}
      data-edges-mounted={edges.length}
      data-layout={layoutMode}
    >
      {canvas}
      <ZoomBands target={wrapper} />
      <EdgeBundle store={moving} edges={built.edges} nodes={nodes} target={wrapper} />
      <HoverOverlay store={hover} index={hoverIndex} selectedEdge={selectedEdge} />
      <HoverTooltip store={hover} />
    </div>
  );
}

/**
 * The edges to hand to xyflow: none until the nodes are painted (`ready`), then EDGE_SLICE more
 * per task, one task after each painted frame; once all are in, every later edge list is passed
 * whole (a refresh reuses unchanged edge objects, so it costs little).
 */
function useProgressiveEdges(all: MapFlowEdge[], ready: boolean): MapFlowEdge[] {
  const [count, setCount] = useState(0);
  const complete = count === Infinity;
  useEffect(() => {
    if (!ready || complete) return;
    if (count >= all.length) {
      setCount(Infinity);
      // The UI bench reads this mark: every edge is mounted (and painted in the next frame).
      requestAnimationFrame(() => performance.mark("cartograph:map-edges"));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setCount((c) => c + EDGE_SLICE), 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      if (timer) clearTimeout(timer);
    };
  }, [ready, complete, count, all.length]);
  return useMemo(() => (complete ? all : all.slice(0, count)), [all, complete, count]);
}
