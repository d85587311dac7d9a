import type { MapEdgeSummary, MapLayoutRequest, MapNodeSummary, ServiceSummary } from "../contract";

/**
 * How the map groups its nodes, shared by the browser (what it draws and asks the server to lay
 * out) and the server (which lays the map a user will open out before anyone asks): both must
 * derive the same groups, or the server's prepared layout would not be the one asked for.
 */
export type GroupBy = "none" | "namespace" | "environment";

/** Nodes above which a map with several namespaces opens grouped by namespace (unless the URL says otherwise). */
const AUTO_GROUP_NODES = 80;

/** `group` from the URL; when absent, big multi-namespace maps are grouped so they stay readable. */
export function chooseGroupBy(
  param: string,
  nodeCount: number,
  services: ReadonlyArray<{ namespace?: string | null }>,
): GroupBy {
  if (param === "namespace" || param === "environment" || param === "none") return param;
  const namespaces = new Set(services.map((s) => s.namespace).filter(Boolean));
  return nodeCount > AUTO_GROUP_NODES && namespaces.size >= 2 ? "namespace" : "none";
}

/**
 * Group of a node. Services take their namespace/environment from the node or, failing that,
 * from the services list; a virtual node joins its callers' group when they all agree.
 */
export function assignGroups(
  nodes: ReadonlyArray<MapNodeSummary>,
  edges: ReadonlyArray<MapEdgeSummary>,
  groupBy: GroupBy,
  services: ReadonlyArray<ServiceSummary>,
): Map<string, string | null> {
  const out = new Map<string, string | null>();
  if (groupBy === "none") return out;
  const byName = new Map(services.map((s) => [s.name, s]));
  const field = groupBy === "namespace" ? "namespace" : "environment";
  for (const n of nodes) {
    if (n.kind !== "service") continue;
    const v = n[field] ?? byName.get(n.name)?.[field] ?? null;
    out.set(n.id, v || null);
  }
  const callersOf = new Map<string, Set<string | null>>();
  for (const e of edges) {
    let set = callersOf.get(e.target);
    if (!set) callersOf.set(e.target, (set = new Set()));
    set.add(out.get(e.source) ?? null);
  }
  for (const n of nodes) {
    if (n.kind === "service") continue;
    const callerGroups = callersOf.get(n.id) ?? new Set<string | null>();
    out.set(n.id, callerGroups.size === 1 ? [...callerGroups][0]! : null);
  }
  return out;
}

/**
 * The layout request the map page sends for a map opened without `group`, `q` or `focus` in
 * its URL (the view most users land on): its nodes with their automatic groups and its edges.
 */
export function describeDefaultLayoutRequest(
  map: { nodes: ReadonlyArray<MapNodeSummary>; edges: ReadonlyArray<MapEdgeSummary> },
  services: ReadonlyArray<ServiceSummary>,
): MapLayoutRequest {
  const groupBy = chooseGroupBy("", map.nodes.length, services);
  const groups = assignGroups(map.nodes, map.edges, groupBy, services);
  const ids = new Set(map.nodes.map((n) => n.id));
  return {
    nodes: map.nodes.map((n) => ({ id: n.id, group: groups.get(n.id) ?? null })),
    edges: map.edges
      .filter((e) => ids.has(e.source) && ids.has(e.target))
      .map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
}
