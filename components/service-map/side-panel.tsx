"use client";
import Link from "next/link";
import type { MapEdge, MapNode } from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { useOperations } from "../api/use-operations";
import { useServiceTimeseries } from "../api/use-service-timeseries";
import { RedCharts } from "../charts/red-charts";
import { prepareRedSeries } from "../charts/prepare-red-series";
import { HealthBadge, Loading } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";
import { StatsList } from "./map-tooltip";
import { KindIcon } from "./kind-icon";
import { KIND_LABELS } from "./node-kinds";

/** RED charts and top operations of one instrumented service. */
function ServiceRed({ service, label }: { service: string; label?: string }) {
  const ts = useServiceTimeseries(service, 40);
  const ops = useOperations(service);
  const rangeQuery = useRangeQuery();
  const top = [...(ops.data?.operations ?? [])].sort((a, b) => b.requests - a.requests).slice(0, 5);
  return (
    <>
      {label && <p className="muted">{label}</p>}
      {ts.isLoading && <Loading what="charts" />}
      {ts.data && <RedCharts compact series={prepareRedSeries(ts.data.points, ts.data.fromMs, ts.data.toMs, ts.data.step)} />}
      <h3>Top operations</h3>
      {top.length === 0 && !ops.isLoading && <p className="muted">None.</p>}
      <table className="data">
        <tbody>
          {top.map((op) => (
            <tr key={op.name}>
              <td className="wrap">
                <Link href={`/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(op.name)}&${rangeQuery}`}>{op.name}</Link>
              </td>
              <td className="num">{formatRate(op.rps)}</td>
              <td className="num">{formatPercent(op.errorRate)}</td>
              <td className="num">{formatMs(op.p95Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function NodeDetails({ node, edges, nodes }: { node: MapNode; edges: MapEdge[]; nodes: Map<string, MapNode> }) {
  const rangeQuery = useRangeQuery();
  const callers = edges.filter((e) => e.target === node.id).map((e) => nodes.get(e.source)).filter((n): n is MapNode => !!n);
  return (
    <>
      <h2>
        <KindIcon kind={node.kind} size={18} />{" "}
        {node.name}
      </h2>
      <div className="row">
        <span className="badge">{KIND_LABELS[node.kind]}</span>
        <HealthBadge health={node.health} />
      </div>
      <dl className="kv" style={{ margin: "10px 0" }}>
        <dt>Id</dt><dd className="mono">{node.id}</dd>
        {node.system && (<><dt>System</dt><dd>{node.system}</dd></>)}
        {node.host && (<><dt>Host</dt><dd>{node.host}{node.port ? `:${node.port}` : ""}</dd></>)}
        {node.database && (<><dt>Database</dt><dd>{node.database}</dd></>)}
      </dl>
      <StatsList stats={node.stats} />
      <div className="row" style={{ margin: "10px 0" }}>
        <Link className="btn small" href={`/map?focus=${encodeURIComponent(node.id)}&depth=1&node=${encodeURIComponent(node.id)}&${rangeQuery}`}>Focus</Link>
        {node.kind === "service" && <Link className="btn small" href={`/services/${encodeURIComponent(node.name)}?${rangeQuery}`}>Service page</Link>}
        {node.kind === "service" && <Link className="btn small" href={`/traces?service=${encodeURIComponent(node.name)}&${rangeQuery}`}>Traces</Link>}
      </div>
      {node.kind === "service" ? (
        <ServiceRed service={node.name} />
      ) : (
        <>
          <h3>Callers</h3>
          {callers.length === 0 && <p className="muted">None in this view.</p>}
          <ul>
            {callers.map((c) => (
              <li key={c.id}>
                {c.name} ·{" "}
                {c.kind === "service" && <Link href={`/traces?service=${encodeURIComponent(c.name)}&${rangeQuery}`}>traces</Link>}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

function EdgeDetails({ edge, nodes }: { edge: MapEdge; nodes: Map<string, MapNode> }) {
  const rangeQuery = useRangeQuery();
  const src = nodes.get(edge.source);
  const dst = nodes.get(edge.target);
  // No per-edge series in the API: the callee's RED when it is instrumented, else the caller's.
  const redService = dst?.kind === "service" ? dst : src?.kind === "service" ? src : null;
  // Traces through this edge: the callee's traces that also pass through the caller.
  const traceHref =
    src?.kind === "service" && dst?.kind === "service"
      ? `/traces?service=${encodeURIComponent(dst.name)}&via=${encodeURIComponent(src.name)}&${rangeQuery}`
      : redService
        ? `/traces?service=${encodeURIComponent(redService.name)}&${rangeQuery}`
        : null;
  return (
    <>
      <h2>{src?.name ?? edge.source} → {dst?.name ?? edge.target}</h2>
      <div className="row">
        {edge.protocol && <span className="badge">{edge.protocol}</span>}
      </div>
      <div style={{ margin: "10px 0" }}>
        <StatsList stats={edge.stats} />
      </div>
      {traceHref && (
        <div className="row" style={{ marginBottom: 10 }}>
          <Link className="btn small" href={traceHref}>Traces through this edge</Link>
        </div>
      )}
      {redService && <ServiceRed service={redService.name} label={`RED of ${redService.name} (${redService === dst ? "callee" : "caller"})`} />}
    </>
  );
}

/** Details of the selected node or edge. */
export function SidePanel({ node, edge, nodes, edges, onClose }: { node: MapNode | null; edge: MapEdge | null; nodes: MapNode[]; edges: MapEdge[]; onClose: () => void }) {
  if (!node && !edge) return null;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <aside className="side-panel" data-testid="side-panel">
      <button type="button" className="btn small close" onClick={onClose} aria-label="Close panel">✕</button>
      {node && <NodeDetails node={node} edges={edges} nodes={byId} />}
      {!node && edge && <EdgeDetails edge={edge} nodes={byId} />}
    </aside>
  );
}
