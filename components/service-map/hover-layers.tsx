"use client";
import { Position, ViewportPortal, getBezierPath, useReactFlow, useStore } from "@xyflow/react";
import { useLayoutEffect, type RefObject } from "react";
import { selfLoopPath } from "./map-edge";
import { MapTooltip } from "./map-tooltip";
import { useHover, type HoverStore } from "./hover-store";
import { NODE_HEIGHT, NODE_WIDTH } from "./layout-positions";
import type { PreparedEdge } from "./prepare-map";
import { LABEL_MIN_ZOOM } from "./zoom-bands";

/** Labels drawn for one hovered node: a hub's edges beyond this many are left to the side panel. */
const MAX_HOVER_LABELS = 40;

export interface HoverIndex {
  edgesOf: Map<string, string[]>;
  edgeById: Map<string, { edge: PreparedEdge; showLabel: boolean; dimmed: boolean }>;
}

/** The edge ids a hover lights up: the hovered edge, or every edge of the hovered node. */
function litEdges(h: { node: string | null; edge: string | null }, index: HoverIndex): string[] {
  if (h.edge) return [h.edge];
  return h.node ? (index.edgesOf.get(h.node) ?? []) : [];
}

/** Quotes an id for a CSS attribute selector. */
function cssString(s: string): string {
  return `"${s.replace(/["\\]/g, "\\$&").replace(/\n/g, "\\a ")}"`;
}

/**
 * Hover emphasis: a `data-lit` attribute on the lit edges' elements, styled by app/globals.css.
 * React Flow's nodes and edges are not touched, and only those few elements are restyled (a
 * style rule inserted per hover made the browser restyle the whole map). React never writes
 * `data-lit`, so a re-render of an edge leaves it in place until the hover ends.
 */
export function HoverHighlight({
  store,
  index,
  target,
}: {
  store: HoverStore;
  index: HoverIndex;
  target: RefObject<HTMLElement | null>;
}) {
  const ids = litEdges(useHover(store), index);
  useLayoutEffect(() => {
    const root = target.current;
    if (!root || ids.length === 0) return;
    const lit = ids.flatMap((id) => [...root.querySelectorAll(`.react-flow__edge[data-id=${cssString(id)}]`)]);
    for (const el of lit) el.setAttribute("data-lit", "");
    return () => {
      for (const el of lit) el.removeAttribute("data-lit");
    };
  }, [ids, target]);
  return null;
}

/**
 * The rate · errors · p95 labels of the lit edges (big maps draw no labels otherwise), placed
 * from the nodes' current positions in flow coordinates. Edges whose own label already shows are
 * skipped, so nothing is drawn twice.
 */
export function HoverLabels({
  store,
  index,
  selectedEdge,
}: {
  store: HoverStore;
  index: HoverIndex;
  selectedEdge: string | null;
}) {
  const hover = useHover(store);
  const flow = useReactFlow();
  const labelsOn = useStore((s) => s.transform[2] >= LABEL_MIN_ZOOM);
  const ids = litEdges(hover, index).slice(0, MAX_HOVER_LABELS);
  const labels = ids.flatMap((id) => {
    const entry = index.edgeById.get(id);
    if (!entry || !entry.edge.label || id === selectedEdge) return [];
    if (entry.showLabel && labelsOn && !entry.dimmed) return [];
    const src = flow.getInternalNode(entry.edge.source);
    const dst = flow.getInternalNode(entry.edge.target);
    if (!src || !dst) return [];
    const sx = src.internals.positionAbsolute.x + (src.measured.width ?? NODE_WIDTH);
    const sy = src.internals.positionAbsolute.y + (src.measured.height ?? NODE_HEIGHT) / 2;
    const tx = dst.internals.positionAbsolute.x;
    const ty = dst.internals.positionAbsolute.y + (dst.measured.height ?? NODE_HEIGHT) / 2;
    const [, x, y] =
      entry.edge.source === entry.edge.target
        ? selfLoopPath(sx, sy, tx, ty)
        : getBezierPath({
            sourceX: sx,
            sourceY: sy,
            targetX: tx,
            targetY: ty,
            sourcePosition: Position.Right,
            targetPosition: Position.Left,
          });
    const critical = entry.edge.severity === "critical";
    return [{ id, x, y, text: entry.edge.label, critical }];
  });
  if (labels.length === 0) return null;
  return (
    <ViewportPortal>
      {labels.map((l) => (
        <div
          key={l.id}
          className={l.critical ? "edge-label hover-label err" : "edge-label hover-label"}
          style={{ transform: `translate(-50%, -50%) translate(${l.x}px, ${l.y}px)` }}
          data-testid="hover-label"
        >
          {l.text}
        </div>
      ))}
    </ViewportPortal>
  );
}

/** The hover card, fed by the hover store (the canvas itself does not re-render on hover). */
export function HoverTooltip({ store }: { store: HoverStore }) {
  return <MapTooltip state={useHover(store).tooltip} />;
}
