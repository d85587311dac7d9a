"use client";
import { Handle, Position, useStore, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import type { PreparedNode } from "./prepare-map";
import { KindIcon } from "./kind-icon";

export interface MapNodeData extends Record<string, unknown> {
  prepared: PreparedNode;
  dimmed: boolean;
}
export type MapFlowNode = Node<MapNodeData, "cartograph">;

const COMPACT_BELOW_ZOOM = 0.55;
const hidden = { opacity: 0, width: 1, height: 1, minWidth: 0, minHeight: 0, border: "none" };

/** One map node: kind icon, name (text only), a detail line; border colour = health. */
export const MapNodeView = memo(function MapNodeView({ data, selected }: NodeProps<MapFlowNode>) {
  const p = data.prepared;
  // Semantic zoom: zoomed far out (large maps), only a big name is drawn so it stays legible.
  const compact = useStore((s) => s.transform[2] < COMPACT_BELOW_ZOOM);
  const cls = [
    "map-node",
    compact ? "compact" : "",
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
  const compact = useStore((s) => s.transform[2] < COMPACT_BELOW_ZOOM);
  return (
    <div
      className={compact ? "map-group compact" : "map-group"}
      style={{ width: "100%", height: "100%" }}
      data-testid="map-group"
    >
      <span className="map-group-label">{data.label}</span>
    </div>
  );
});
