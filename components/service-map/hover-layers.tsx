"use client";
import { ViewportPortal, useReactFlow, useStore } from "@xyflow/react";
import { edgeGeometry } from "./edge-geometry";
import { MapTooltip } from "./map-tooltip";
import { useHover, type HoverStore } from "./hover-store";
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

/**
 * The lit edges (the hovered edge, or the hovered node's edges) drawn again in the accent colour
 * in an overlay with a compositing layer of its own, with their rate · errors · p95 labels (big
 * maps draw none otherwise). The map's own edges are not touched: restyling them made the browser
 * repaint every edge crossing their long bounding boxes, hundreds on a big map. Geometry comes
 * from the nodes' current positions, as xyflow draws it (right side → left side, bezier).
 */
export function HoverOverlay({
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
  const drawn = litEdges(hover, index).flatMap((id, i) => {
    const entry = index.edgeById.get(id);
    if (!entry) return [];
    const geometry = edgeGeometry(flow, entry.edge.source, entry.edge.target);
    if (!geometry) return [];
    const [path, x, y] = geometry;
    // An edge whose own label already shows (small maps, zoomed in; the selected edge) gets none here.
    const ownLabel = id === selectedEdge || (entry.showLabel && labelsOn && !entry.dimmed);
    const label = entry.edge.label && !ownLabel && i < MAX_HOVER_LABELS ? entry.edge.label : null;
    return [{ id, path, x, y, width: entry.edge.width, label, critical: entry.edge.severity === "critical" }];
  });
  if (drawn.length === 0) return null;
  return (
    <ViewportPortal>
      <svg className="hover-edges" data-testid="hover-edges" aria-hidden="true">
        {drawn.map((d) => (
          <path key={d.id} d={d.path} data-id={d.id} style={{ strokeWidth: d.width + 1.5 }} />
        ))}
      </svg>
      {drawn.map(
        (d) =>
          d.label && (
            <div
              key={d.id}
              className={d.critical ? "edge-label hover-label err" : "edge-label hover-label"}
              style={{ transform: `translate(-50%, -50%) translate(${d.x}px, ${d.y}px)` }}
              data-testid="hover-label"
            >
              {d.label}
            </div>
          ),
      )}
    </ViewportPortal>
  );
}

/** The hover card, fed by the hover store (the canvas itself does not re-render on hover). */
export function HoverTooltip({ store }: { store: HoverStore }) {
  return <MapTooltip state={useHover(store).tooltip} />;
}
