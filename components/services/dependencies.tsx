"use client";
import Link from "next/link";
import type { MapEdgeSummary, MapNodeSummary } from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { useServiceMap } from "../api/use-service-map";
import { KindIcon } from "../service-map/kind-icon";
import { ErrorBox, HealthBadge, Loading } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";

interface DependencyRow {
  node: MapNodeSummary;
  edge: MapEdgeSummary;
}

/** Splits the 1-hop map around a node into callers (upstream) and callees (downstream). */
export function splitDependencies(nodeId: string, nodes: MapNodeSummary[], edges: MapEdgeSummary[]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const upstream: DependencyRow[] = [];
  const downstream: DependencyRow[] = [];
  for (const e of edges) {
    if (e.target === nodeId && e.source !== nodeId && byId.has(e.source))
      upstream.push({ node: byId.get(e.source)!, edge: e });
    if (e.source === nodeId && byId.has(e.target)) downstream.push({ node: byId.get(e.target)!, edge: e });
  }
  const busiest = (a: DependencyRow, b: DependencyRow) => (b.edge.stats?.requests ?? 0) - (a.edge.stats?.requests ?? 0);
  return { upstream: upstream.sort(busiest), downstream: downstream.sort(busiest) };
}

function DependencyTable({ rows, title, testId }: { rows: DependencyRow[]; title: string; testId: string }) {
  const rangeQuery = useRangeQuery();
  return (
    <div className="panel">
      <h3>
        {title} ({rows.length})
      </h3>
      {rows.length === 0 ? (
        <p className="muted">None in this range.</p>
      ) : (
        <table className="data" data-testid={testId}>
          <thead>
            <tr>
              <th>Node</th>
              <th>Health</th>
              <th className="num">Rate</th>
              <th className="num">Errors</th>
              <th className="num">p95</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ node, edge }) => (
              <tr key={edge.id}>
                <td className="wrap">
                  <KindIcon kind={node.kind} size={14} />{" "}
                  {node.kind === "service" ? (
                    <Link href={`/services/${encodeURIComponent(node.name)}?${rangeQuery}`}>{node.name}</Link>
                  ) : (
                    <Link href={`/map?focus=${encodeURIComponent(node.id)}&depth=1&${rangeQuery}`}>{node.name}</Link>
                  )}
                  {edge.protocol && <span className="muted"> · {edge.protocol}</span>}
                </td>
                <td>
                  <HealthBadge health={node.health} />
                </td>
                <td className="num">{formatRate(edge.stats?.rps)}</td>
                <td className="num">{formatPercent(edge.stats?.errorRate)}</td>
                <td className="num">{formatMs(edge.stats?.p95Ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Upstream and downstream dependencies of a service with the RED of each edge (map focus, depth 1). */
export function Dependencies({ nodeId }: { nodeId: string }) {
  const map = useServiceMap(nodeId, 1);
  if (map.isLoading) return <Loading what="dependencies" />;
  if (map.isError && !map.data) return <ErrorBox error={map.error} />;
  const { upstream, downstream } = splitDependencies(nodeId, map.data?.nodes ?? [], map.data?.edges ?? []);
  return (
    <div className="grid-2">
      <DependencyTable rows={upstream} title="Upstream (callers)" testId="upstream-table" />
      <DependencyTable rows={downstream} title="Downstream (calls)" testId="downstream-table" />
    </div>
  );
}
