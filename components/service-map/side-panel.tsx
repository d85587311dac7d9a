"use client";
import dynamic from "next/dynamic";
import Link from "next/link";
import type { MapEdgeSummary, MapNodeSummary } from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { useOperations } from "../api/use-operations";
import { useServiceTimeseries } from "../api/use-service-timeseries";
import { useEdgeTimeseries } from "../api/use-edge-timeseries";
import { NO_ENVIRONMENT } from "@/lib/node-id";
import { prepareRedSeries } from "../charts/prepare-red-series";
import { HealthBadge, Loading } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";
import { StatsList } from "./map-tooltip";
import { KindIcon } from "./kind-icon";
import { KIND_LABELS } from "./node-kinds";

/**
 * The panel's charts load with the first panel, not with the map: their charting library was
 * ~420 kB of the map page's JavaScript, parsed before the map could hydrate. They only ever
 * draw client-fetched data, so the server never renders them.
 */
const RedCharts = dynamic(() => import("../charts/red-charts").then((m) => m.RedCharts), {
  ssr: false,
  loading: () => <Loading what="charts" />,
});
const EdgeCharts = dynamic(() => import("../charts/edge-charts").then((m) => m.EdgeCharts), {
  ssr: false,
  loading: () => <Loading what="charts" />,
});

/** RED charts and top operations of one instrumented service. */
function ServiceRed({ service, environment, label }: { service: string; environment?: string; label?: string }) {
  const ts = useServiceTimeseries(service, 40, environment);
  const ops = useOperations(service, environment);
  const rangeQuery = useRangeQuery();
  const top = [...(ops.data?.operations ?? [])].sort((a, b) => b.requests - a.requests).slice(0, 5);
  return (
    <>
      {label && <p className="muted">{label}</p>}
      {ts.isLoading && <Loading what="charts" />}
      {ts.data && (
        <RedCharts compact series={prepareRedSeries(ts.data.points, ts.data.fromMs, ts.data.toMs, ts.data.step)} />
      )}
      <h3>Top operations</h3>
      {top.length === 0 && !ops.isLoading && <p className="muted">None.</p>}
      <table className="data">
        <tbody>
          {top.map((op) => (
            <tr key={op.name}>
              <td className="wrap">
                <Link
                  href={`/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(op.name)}&${rangeQuery}`}
                >
                  {op.name}
                </Link>
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

/** The API's environment parameter for a node (its own environment, or the group without one). */
function environmentOf(node: MapNodeSummary): string {
  return node.environment || NO_ENVIRONMENT;
}

/** Callers or callees of a node: each neighbour with the edge's RED, a link to select it and its traces. */
function NeighbourTable({
  title,
  rows,
  nodes,
  side,
  onSelectNode,
  onSelectEdge,
}: {
  title: string;
  rows: MapEdgeSummary[];
  nodes: Map<string, MapNodeSummary>;
  side: "source" | "target";
  onSelectNode: (id: string) => void;
  onSelectEdge: (id: string) => void;
}) {
  const rangeQuery = useRangeQuery();
  const sorted = [...rows].sort((a, b) => (b.stats?.requests ?? 0) - (a.stats?.requests ?? 0));
  return (
    <>
      <h3>{title}</h3>
      {sorted.length === 0 ? (
        <p className="muted">None in this view.</p>
      ) : (
        <table className="data neighbours" data-testid={`panel-${title.toLowerCase()}`}>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col" className="num">
                req/s
              </th>
              <th scope="col" className="num">
                errors
              </th>
              <th scope="col" className="num">
                p95
              </th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((e) => {
              const n = nodes.get(e[side]);
              return (
                <tr key={e.id}>
                  <td className="wrap">
                    <button type="button" className="linklike" onClick={() => onSelectNode(e[side])}>
                      {n?.name ?? e[side]}
                    </button>
                    <span className="links">
                      <button
                        type="button"
                        className="linklike"
                        onClick={() => onSelectEdge(e.id)}
                        aria-label={`Edge ${n?.name ?? e[side]}`}
                      >
                        edge
                      </button>
                      {n?.kind === "service" && (
                        <>
                          {" "}
                          · <Link href={`/traces?service=${encodeURIComponent(n.name)}&${rangeQuery}`}>traces</Link>
                        </>
                      )}
                    </span>
                  </td>
                  <td className="num">{formatRate(e.stats?.rps ?? null)}</td>
                  <td className="num">{formatPercent(e.stats?.errorRate ?? null)}</td>
                  <td className="num">{formatMs(e.stats?.p95Ms ?? null)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

interface Selectors {
  onSelectNode: (id: string) => void;
  onSelectEdge: (id: string) => void;
}

function NodeDetails({
  node,
  edges,
  nodes,
  onSelectNode,
  onSelectEdge,
}: { node: MapNodeSummary; edges: MapEdgeSummary[]; nodes: Map<string, MapNodeSummary> } & Selectors) {
  const rangeQuery = useRangeQuery();
  const callers = edges.filter((e) => e.target === node.id);
  const callees = edges.filter((e) => e.source === node.id);
  return (
    <>
      <h2>
        <KindIcon kind={node.kind} size={18} /> {node.name}
      </h2>
      <div className="row">
        <span className="badge">{KIND_LABELS[node.kind]}</span>
        <HealthBadge health={node.health} />
        {node.environment && <span className="badge">env: {node.environment}</span>}
      </div>
      <dl className="kv" style={{ margin: "10px 0" }}>
        <dt>Id</dt>
        <dd className="mono">{node.id}</dd>
        {node.system && (
          <>
            <dt>System</dt>
            <dd>{node.system}</dd>
          </>
        )}
        {node.host && (
          <>
            <dt>Host</dt>
            <dd>
              {node.host}
              {node.port ? `:${node.port}` : ""}
            </dd>
          </>
        )}
        {node.database && (
          <>
            <dt>Database</dt>
            <dd>{node.database}</dd>
          </>
        )}
      </dl>
      <StatsList stats={node.stats} />
      <div className="row" style={{ margin: "10px 0" }}>
        <Link
          className="btn small"
          href={`/map?focus=${encodeURIComponent(node.id)}&depth=1&node=${encodeURIComponent(node.id)}&${rangeQuery}`}
        >
          Focus
        </Link>
        {node.kind === "service" && (
          <Link className="btn small" href={`/services/${encodeURIComponent(node.name)}?${rangeQuery}`}>
            Service page
          </Link>
        )}
        {node.kind === "service" && (
          <Link className="btn small" href={`/traces?service=${encodeURIComponent(node.name)}&${rangeQuery}`}>
            Traces
          </Link>
        )}
      </div>
      <NeighbourTable
        title="Callers"
        rows={callers}
        nodes={nodes}
        side="source"
        onSelectNode={onSelectNode}
        onSelectEdge={onSelectEdge}
      />
      <NeighbourTable
        title="Callees"
        rows={callees}
        nodes={nodes}
        side="target"
        onSelectNode={onSelectNode}
        onSelectEdge={onSelectEdge}
      />
      {node.kind === "service" && <ServiceRed service={node.name} environment={environmentOf(node)} />}
    </>
  );
}

function EdgeDetails({
  edge,
  nodes,
  onSelectNode,
}: { edge: MapEdgeSummary; nodes: Map<string, MapNodeSummary> } & Selectors) {
  const rangeQuery = useRangeQuery();
  const src = nodes.get(edge.source);
  const dst = nodes.get(edge.target);
  const series = useEdgeTimeseries(edge.source, edge.target);
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
      <h2>
        {src?.name ?? edge.source} → {dst?.name ?? edge.target}
      </h2>
      <div className="row">
        {edge.protocol && <span className="badge">{edge.protocol}</span>}
        {edge.health && <HealthBadge health={edge.health} />}
      </div>
      <div style={{ margin: "10px 0" }}>
        {edge.stats && <StatsList stats={edge.stats} />}
        <p className="muted">
          Latency measured on the {edge.statsSide === "server" ? "callee (server) side" : "caller (client) side"}.
        </p>
      </div>
      <div className="row" style={{ marginBottom: 10 }}>
        {src && (
          <button type="button" className="btn small" onClick={() => onSelectNode(src.id)}>
            Caller: {src.name}
          </button>
        )}
        {dst && (
          <button type="button" className="btn small" onClick={() => onSelectNode(dst.id)}>
            Callee: {dst.name}
          </button>
        )}
        {traceHref && (
          <Link className="btn small" href={traceHref}>
            Traces through this edge
          </Link>
        )}
      </div>
      <h3>This edge over time</h3>
      {series.isLoading && <Loading what="edge history" />}
      {series.data && (
        <EdgeCharts
          points={series.data.points}
          fromMs={series.data.fromMs}
          toMs={series.data.toMs}
          stepSeconds={series.data.stepSeconds}
        />
      )}
    </>
  );
}

/** Details of the selected node or edge. */
export function SidePanel({
  node,
  edge,
  nodes,
  edges,
  onClose,
  onSelectNode,
  onSelectEdge,
}: {
  node: MapNodeSummary | null;
  edge: MapEdgeSummary | null;
  nodes: MapNodeSummary[];
  edges: MapEdgeSummary[];
  onClose: () => void;
} & Selectors) {
  if (!node && !edge) return null;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return (
    <aside className="side-panel" data-testid="side-panel" aria-label={node ? `Node ${node.name}` : "Edge"}>
      <button type="button" className="btn small close" onClick={onClose} aria-label="Close panel">
        ✕
      </button>
      {node && (
        <NodeDetails node={node} edges={edges} nodes={byId} onSelectNode={onSelectNode} onSelectEdge={onSelectEdge} />
      )}
      {!node && edge && (
        <EdgeDetails edge={edge} nodes={byId} onSelectNode={onSelectNode} onSelectEdge={onSelectEdge} />
      )}
    </aside>
  );
}
