import { Position, getBezierPath, type ReactFlowInstance } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH } from "@/lib/map-layout/positions";
import { selfLoopPath } from "./map-edge";

/**
 * An edge's path and label point from its nodes' current positions, as xyflow draws it (right
 * side → left side, bezier; a loop over the node for a call to itself); null when a node is
 * not placed.
 */
export function edgeGeometry(
  flow: Pick<ReactFlowInstance, "getInternalNode">,
  source: string,
  target: string,
): [path: string, labelX: number, labelY: number] | null {
  const src = flow.getInternalNode(source);
  const dst = flow.getInternalNode(target);
  if (!src || !dst) return null;
  const sx = src.internals.positionAbsolute.x + (src.measured.width ?? NODE_WIDTH);
  const sy = src.internals.positionAbsolute.y + (src.measured.height ?? NODE_HEIGHT) / 2;
  const tx = dst.internals.positionAbsolute.x;
  const ty = dst.internals.positionAbsolute.y + (dst.measured.height ?? NODE_HEIGHT) / 2;
  if (source === target) return selfLoopPath(sx, sy, tx, ty);
  const [path, x, y] = getBezierPath({
    sourceX: sx,
    sourceY: sy,
    targetX: tx,
    targetY: ty,
    sourcePosition: Position.Right,
    targetPosition: Position.Left,
  });
  return [path, x, y];
}
