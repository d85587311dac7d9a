"use client";
import type { MapEdgeSummary, MapNodeSummary } from "@/lib/api-types";
import { formatCount, formatMs, formatPercent, formatRate } from "@/lib/format";
import { HealthBadge } from "../ui/status";
import { KindIcon } from "./kind-icon";

/** The map's data as two tables (nodes, edges); clicking a row selects it like on the graph. */
export function MapTable({
  nodes,
  edges,
  onSelectNode,
  onSelectEdge,
  selectedNode,
  selectedEdge,
}: {
  nodes: MapNodeSummary[];
  edges: MapEdgeSummary[];
  selectedNode: string | null;
  selectedEdge: string | null;
  onSelectNode: (id: string) => void;
  onSelectEdge: (id: string) => void;
}) {
  const names = new Map(nodes.map((n) => [n.id, n.name]));
  return (
    <div className="map-canvas" style={{ overflow: "auto", padding: 12 }}>
      <h3>Nodes ({nodes.length})</h3>
      <table className="data" data-testid="map-nodes-table">
        <thead>
          <tr>
            <th>Node</th>
            <th>Kind</th>
            <th>Health</th>
            <th className="num">Requests</th>
            <th className="num">Rate</th>
            <th className="num">Errors</th>
            <th className="num">p95</th>
          </tr>
        </thead>
        <tbody>
          {[...nodes]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((n) => (
              <tr
                key={n.id}
                className={n.id === selectedNode ? "selected" : ""}
                onClick={() => onSelectNode(n.id)}
                style={{ cursor: "pointer" }}
              >
                <td className="wrap">
                  <KindIcon kind={n.kind} size={14} /> {n.name}
                </td>
                <td>
                  {n.kind}
                  {n.system ? ` (${n.system})` : ""}
                </td>
                <td>
                  <HealthBadge health={n.health} />
                </td>
                <td className="num">{formatCount(n.stats?.requests)}</td>
                <td className="num">{formatRate(n.stats?.rps)}</td>
                <td className="num">{formatPercent(n.stats?.errorRate)}</td>
                <td className="num">{formatMs(n.stats?.p95Ms)}</td>
              </tr>
            ))}
        </tbody>
      </table>
      <h3 style={{ marginTop: 16 }}>Edges ({edges.length})</h3>
      <table className="data" data-testid="map-edges-table">
        <thead>
          <tr>
            <th>From</th>
            <th>To</th>
            <th>Protocol</th>
            <th className="num">Requests</th>
            <th className="num">Rate</th>
            <th className="num">Errors</th>
            <th className="num">p95</th>
          </tr>
        </thead>
        <tbody>
          {[...edges]
            .sort((a, b) => (b.stats?.requests ?? 0) - (a.stats?.requests ?? 0))
            .map((e) => (
              <tr
                key={e.id}
                className={e.id === selectedEdge ? "selected" : ""}
                onClick={() => onSelectEdge(e.id)}
                style={{ cursor: "pointer" }}
              >
                <td className="wrap">{names.get(e.source) ?? e.source}</td>
                <td className="wrap">{names.get(e.target) ?? e.target}</td>
                <td>{e.protocol ?? "—"}</td>
                <td className="num">{formatCount(e.stats?.requests)}</td>
                <td className="num">{formatRate(e.stats?.rps)}</td>
                <td className="num">{formatPercent(e.stats?.errorRate)}</td>
                <td className="num">{formatMs(e.stats?.p95Ms)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
