"use client";
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type Edge, type EdgeProps } from "@xyflow/react";
import { memo } from "react";
import type { PreparedEdge } from "./prepare-map";

export interface MapEdgeData extends Record<string, unknown> {
  prepared: PreparedEdge;
  dimmed: boolean;
  /** Labels are on when the map is small; a big map shows them on hover/selection only. */
  showLabel: boolean;
  hovered: boolean;
}
export type MapFlowEdge = Edge<MapEdgeData, "cartograph">;

const COLORS = { ok: "var(--edge)", warning: "var(--warning)", critical: "var(--critical)" } as const;
const LABEL_MIN_ZOOM = 0.6;
/** Far out on a big map, edges fade so nodes and their health stay readable (hover brings them back). */
const FAINT_BELOW_ZOOM = 0.35;

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

/** Edge thickness follows traffic, colour follows error rate; the label carries rps, error % and p95. */
export const MapEdgeView = memo(function MapEdgeView(props: EdgeProps<MapFlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const zoomedIn = useStore((s) => s.transform[2] >= LABEL_MIN_ZOOM);
  const farOut = useStore((s) => s.transform[2] < FAINT_BELOW_ZOOM);
  const loop = props.source === props.target;
  const [path, labelX, labelY] = loop
    ? selfLoopPath(sourceX, sourceY, targetX, targetY)
    : getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  if (!data) return null;
  const p = data.prepared;
  const emphasised = selected || data.hovered;
  const showLabel = !!p.label && (emphasised || (data.showLabel && zoomedIn && !data.dimmed));
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        interactionWidth={Math.max(12, p.width + 8)}
        style={{
          stroke: emphasised ? "var(--accent)" : p.change === "added" ? "var(--ok)" : COLORS[p.severity],
          strokeWidth: p.width + (emphasised ? 1.5 : 0),
          opacity: data.dimmed ? 0.12 : emphasised ? 1 : farOut && !data.showLabel ? 0.22 : 0.85,
          strokeDasharray: p.edge.protocol === "messaging" ? "6 4" : undefined,
        }}
      />
      {showLabel && (
        <EdgeLabelRenderer>
          <div
            className={p.severity === "critical" ? "edge-label err" : "edge-label"}
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
