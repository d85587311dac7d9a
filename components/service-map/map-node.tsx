"use client";
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { PreparedNode } from "./prepare-map";
import { KindIcon } from "./kind-icon";

export interface MapNodeData extends Record<string, unknown> {
  prepared: PreparedNode;
  dimmed: boolean;
}
export type MapFlowNode = Node<MapNodeData, "cartograph">;

const hidden = { opacity: 0, width: 1, height: 1, minWidth: 0, minHeight: 0, border: "none" };

/**
 * One map node: kind icon, name (text only), a detail line; border colour = health. Semantic
 * zoom (only a big name when far out) is CSS on the canvas's zoom bands (zoom-bands.tsx).
 */
export const MapNodeView = memo(function MapNodeView({ data, selected }: NodeProps<MapFlowNode>) {
  const p = data.prepared;
  const cls = [
    "map-node",
    `kind-${p.node.kind}`,
    `health-${p.health}`,
    data.dimmed ? "dimmed" : "",
    p.match ? "match" : "",
    selected ? "selected" : "",
    p.change ? `diff-${p.change}` : "",
  ].join(" ");
  return (
    <div className={cls} data-testid="map-node" data-node-id={p.id} data-kind={p.node.kind}>
      <Handle type="target" position={Position.Left} style={hidden} isConnectable={false} />
      <span className="icon">
        <KindIcon kind={p.node.kind} />
      </span>
      <span className="node-text">
        <div className="node-name">{p.label}</div>
        <div className="node-sub">{p.sub}</div>
      </span>
      {p.change && (
        <span
          className={`diff-badge ${p.change}`}
          title={p.changeReasons.join(", ") || "new in this period"}
          data-testid="diff-badge"
        >
          {p.change === "added" ? "new" : "changed"}
        </span>
      )}
      <Handle type="source" position={Position.Right} style={hidden} isConnectable={false} />
    </div>
  );
});

export interface GroupNodeData extends Record<string, unknown> {
  label: string;
}
export type GroupFlowNode = Node<GroupNodeData, "group-box">;

/** A namespace / environment box drawn behind its nodes. */
export const GroupNodeView = memo(function GroupNodeView({ data }: NodeProps<GroupFlowNode>) {
  return (
    <div className="map-group" style={{ width: "100%", height: "100%" }} data-testid="map-group">
      <span className="map-group-label">{data.label}</span>
    </div>
  );
});
