import "server-only";
import type { MapEdge, MapNode, ServiceMap } from "./assemble-map";
import { environmentOfNodeId } from "./node-identity";

import { NO_ENVIRONMENT } from "../../../lib/node-id";

export { NO_ENVIRONMENT };

/** Which part of the fleet a view shows; absent fields select everything. */
export interface MapScope {
  /** deployment.environment(.name), or NO_ENVIRONMENT. */
  environment?: string;
  /** service.namespace of the services shown. */
  namespace?: string;
}

/** The environment of a node (from its field, else its id); null: none. */
export function environmentOfNode(n: Pick<MapNode, "id" | "environment">): string | null {
  return n.environment ?? environmentOfNodeId(n.id);
}

/** Whether an environment value (null: none) is the one a scope asks for. */
export function matchesEnvironment(env: string | null | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined) return true;
  return wanted === NO_ENVIRONMENT ? !env : env === wanted;
}

/**
 * Keeps one environment / namespace of a map. The nodes in scope are its services (by
 * environment and namespace) and, without a namespace filter, the other nodes of that
 * environment; every edge touching one of them is kept with both ends, so a call that crosses
 * environments (staging calling a production API) stays visible instead of vanishing.
 */
export function scopeServiceMap(map: ServiceMap, scope: MapScope): ServiceMap {
  if (scope.environment === undefined && scope.namespace === undefined) return map;
  const inScope = new Set<string>();
  for (const n of map.nodes) {
    if (!matchesEnvironment(environmentOfNode(n), scope.environment)) continue;
    if (scope.namespace !== undefined && (n.kind !== "service" || n.namespace !== scope.namespace)) continue;
    inScope.add(n.id);
  }
  const edges: MapEdge[] = map.edges.filter((e) => inScope.has(e.source) || inScope.has(e.target));
  const keep = new Set(inScope);
  for (const e of edges) {
    keep.add(e.source);
    keep.add(e.target);
  }
  return { ...map, nodes: map.nodes.filter((n) => keep.has(n.id)), edges };
}
