import "server-only";
import type { ServiceMap, ServiceMapSummary } from "../../lib/contract";

/**
 * The map as the UI draws it (contract `getServiceMapSummary`): every node and edge kept, each
 * with the fields a drawing, its hover card and its side panel read. Fields are copied by name
 * so that one added to the full map stays out of the summary until it is chosen here.
 */
export function summarizeServiceMap(map: ServiceMap): ServiceMapSummary {
  return {
    nodes: map.nodes.map((n) => {
      const out: ServiceMapSummary["nodes"][number] = {
        id: n.id,
        kind: n.kind,
        name: n.name,
        health: n.health,
        stats: n.stats,
        instrumented: n.instrumented,
      };
      if (n.system !== undefined) out.system = n.system;
      if (n.host !== undefined) out.host = n.host;
      if (n.port !== undefined) out.port = n.port;
      if (n.database !== undefined) out.database = n.database;
      if (n.namespace !== undefined) out.namespace = n.namespace;
      if (n.environment !== undefined) out.environment = n.environment;
      return out;
    }),
    edges: map.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      health: e.health,
      stats: e.stats,
      statsSide: e.statsSide,
    })),
    completeness: map.completeness,
  };
}
