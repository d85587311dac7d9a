"use client";
import { BaseEdge, EdgeLabelRenderer, getBezierPath, type Edge, type EdgeProps } from "@xyflow/react";
import { memo, type CSSProperties } from "react";
import type { PreparedEdge } from "./prepare-map";

export interface MapEdgeData extends Record<string, unknown> {
  prepared: PreparedEdge;
  dimmed: boolean;
  /** Labels are on when the map is small; a big map shows them on hover/selection only. */
  showLabel: boolean;
}
export type MapFlowEdge = Edge<MapEdgeData, "cartograph">;

const COLORS = { ok: "var(--edge)", warning: "var(--warning)", critical: "var(--critical)" } as const;

/**
 * A call from a service to itself (another instance of it) is drawn as a loop over the node,
 * from its outgoing side to its incoming side; the label sits at the top of the loop.
 */
export function selfLoopPath(sx: number, sy: number, tx: number, ty: number): [string, number, number] {
  const rise = 70;
  const top = Math.min(sy, ty) - rise;
  const path = `M ${sx},${sy} C ${sx + 50},${top} ${tx - 50},${top} ${tx},${ty}`;
  return [path, (sx + tx) / 2, top + rise * 0.25];
}

/**
 * Edge thickness follows traffic, colour follows error rate; the label carries rps, error % and p95.
 * Colour and width go to CSS variables and the look per state (dimmed, faint when far out,
 * selected, hovered) is CSS on the edge's classes (build-flow) and the canvas's zoom bands: the
 * component subscribes to nothing, so zooming and hovering re-render no edge.
 */
export const MapEdgeView = memo(function MapEdgeView(props: EdgeProps<MapFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const loop = props.source === props.target;
  const [path, labelX, labelY] = loop
    ? selfLoopPath(sourceX, sourceY, targetX, targetY)
    : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  if (!data) return null;
  const p = data.prepared;
  // Small maps keep their labels in the DOM (CSS shows them from LABEL_MIN_ZOOM); the selected
  // edge's label always shows; hover labels are drawn by HoverOverlay.
  const showLabel = !!p.label && (selected || (data.showLabel && !data.dimmed));
  const style = {
    "--edge-stroke": p.change === "added" ? "var(--ok)" : COLORS[p.severity],
    "--edge-width": `${p.width}px`,
  } as CSSProperties;
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} interactionWidth={Math.max(12, p.width + 8)} style={style} />
      {showLabel && (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${p.severity === "critical" ? " err" : ""}${selected ? "" : " auto"}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid="edge-label"
          >
            {p.change === "added" ? `new · ${p.label}` : p.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});
