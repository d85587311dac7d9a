"use client";
import { ReactFlowProvider } from "@xyflow/react";
import { useMemo, useState } from "react";
import { useServiceMap } from "../api/use-service-map";
import { useServiceMapDiff } from "../api/use-service-map-diff";
import { DiffSummary } from "./diff-summary";
import { useServices } from "../api/use-services";
import { ExporterSetup } from "../ui/exporter-setup";
import { ErrorBox, Loading } from "../ui/status";
import { useUrlParams } from "../ui/use-url-params";
import { MapCanvas } from "./map-canvas";
import { MapTable } from "./map-table";
import { MapToolbar } from "./map-toolbar";
import { clearPositions } from "./position-cache";
import { chooseGroupBy, prepareMap } from "./prepare-map";
import { SidePanel } from "./side-panel";
import { useStableLayout } from "./use-stable-layout";
import { useEnvironment } from "../ui/use-environment";
import { environmentOfNodeId, NO_ENVIRONMENT, withEnvironment } from "@/lib/node-id";

/** Adds the environment on view to a focus id that names none (a service seen elsewhere without it). */
function scopeFocus(focus: string | null, environment: string | undefined): string | null {
  if (!focus || !environment || environment === NO_ENVIRONMENT || environmentOfNodeId(focus) !== null) return focus;
  return withEnvironment(focus, environment);
}

/** /map: the typed dependency graph, with all view state (focus, search, grouping, selection) in the URL. */
export function ServiceMapView() {
  const { get, setParams } = useUrlParams();
  const env = useEnvironment();
  const scope = { environment: env.environment, namespace: env.namespace };
  // A link that names a service without its environment (findings, alerts) focuses the
  // service in the environment on view.
  const focus = scopeFocus(get("focus") || null, env.environment);
  const depth = Math.min(5, Math.max(1, Number(get("depth")) || 1));
  const search = get("q");
  const group = get("group");
  const view = get("view") === "table" ? "table" : "graph";
  const selectedNode = get("node") || null;
  const selectedEdge = get("edge") || null;
  const diffOn = get("diff") === "1";
  const [layoutVersion, setLayoutVersion] = useState(0);

  const map = useServiceMap(focus, depth, scope, { enabled: env.ready });
  // While the environment is still being chosen (the services list decides it), the map for all
  // environments is fetched alongside: it is the answer whenever the fleet has one environment or
  // none, and the map no longer waits for two requests in a row.
  useServiceMap(focus, depth, {}, { enabled: !env.ready });
  const services = useServices(scope, { enabled: env.ready });
  const groupBy = chooseGroupBy(group, map.data?.nodes.length ?? 0, services.data?.services ?? []);
  const diff = useServiceMapDiff(diffOn && env.ready, scope);
  const diffData = diffOn ? (diff.data ?? null) : null;
  const prepared = useMemo(
    () =>
      map.data
        ? prepareMap(map.data, { search, groupBy, services: services.data?.services ?? [], diff: diffData })
        : null,
    [map.data, search, groupBy, services.data, diffData],
  );
  const groupOf = useMemo(() => new Map((prepared?.nodes ?? []).map((n) => [n.id, n.group])), [prepared]);
  const layoutMode = `group=${groupBy}`;
  // Grouping decides the layout; when it is automatic it waits for the services list (their
  // namespaces): a layout started before would be thrown away, after holding the layout thread.
  const groupKnown = group !== "" || services.data !== undefined || services.isError;
  const layout = useStableLayout(
    groupKnown ? (prepared?.nodes ?? []).map((n) => n.id) : [],
    prepared?.edges ?? [],
    groupOf,
    layoutMode,
    layoutVersion,
  );

  if (map.isLoading || !env.ready) return <Loading what="service map" />;
  if (map.isError && !map.data) return <ErrorBox error={map.error} />;
  if (!map.data || !prepared) return null;
  if (map.data.nodes.length === 0 && !focus) return <ExporterSetup title="The map is empty" />;

  const node = map.data.nodes.find((n) => n.id === selectedNode) ?? null;
  const edge = map.data.edges.find((e) => e.id === selectedEdge) ?? null;
  const selectNode = (id: string | null) => setParams({ node: id, edge: null });
  const selectEdge = (id: string | null) => setParams({ edge: id, node: null });

  return (
    <div className="map-page">
      <MapToolbar
        search={search}
        focus={focus}
        depth={depth}
        groupBy={groupBy}
        view={view}
        diff={diffOn}
        selectedNode={selectedNode}
        counts={{ nodes: prepared.nodes.length, edges: prepared.edges.length, matches: prepared.matches.length }}
        completeness={map.data.completeness}
        set={setParams}
        onRelayout={() => {
          clearPositions(layoutMode);
          setLayoutVersion((v) => v + 1);
        }}
      />
      {map.isError && <ErrorBox error={map.error} />}
      {diffOn && diff.isError && <ErrorBox error={diff.error} />}
      {diffData && <DiffSummary diff={diffData} />}
      <div className="map-body">
        {view === "table" ? (
          <MapTable
            nodes={map.data.nodes}
            edges={map.data.edges}
            selectedNode={selectedNode}
            selectedEdge={selectedEdge}
            onSelectNode={selectNode}
            onSelectEdge={selectEdge}
          />
        ) : layout.error ? (
          <ErrorBox error={layout.error} />
        ) : !layout.positions || !groupKnown ? (
          <div className="map-canvas">
            <Loading what="layout" />
          </div>
        ) : (
          <ReactFlowProvider>
            <MapCanvas
              map={prepared}
              positions={layout.positions}
              layoutMode={layoutMode}
              search={search}
              fitKey={`${focus}|${depth}|${groupBy}|${search}|${layoutVersion}|${layout.positions.size}`}
              selectedNode={selectedNode}
              selectedEdge={selectedEdge}
              onSelectNode={selectNode}
              onSelectEdge={selectEdge}
            />
          </ReactFlowProvider>
        )}
        <SidePanel
          node={node}
          edge={edge}
          nodes={map.data.nodes}
          edges={map.data.edges}
          onClose={() => setParams({ node: null, edge: null })}
          onSelectNode={selectNode}
          onSelectEdge={selectEdge}
        />
      </div>
    </div>
  );
}
