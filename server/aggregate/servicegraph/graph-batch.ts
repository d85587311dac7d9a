import "server-only";
import { encodeSketch, type GraphBatch } from "../../store";
import type { GraphAccumulator } from "./graph-accumulator";

/** One flush of the accumulator as the store takes it (plain rows, encoded sketches). */
export function toGraphBatch(acc: GraphAccumulator): GraphBatch {
  return {
    edges: [...acc.edges.values()].map((r) => ({
      source: r.source,
      target: r.target,
      protocol: r.protocol,
      minute: r.minute,
      calls: r.calls,
      errors: r.errors,
      connects: r.connects,
      clientSketch: encodeSketch(r.clientSketch),
      serverSketch: encodeSketch(r.serverSketch),
    })),
    nodes: [...acc.nodes.values()].map((n) => ({
      id: n.id,
      kind: n.kind,
      name: n.name,
      system: n.system ?? null,
      host: n.host ?? null,
      port: n.port ?? null,
      database: n.database ?? null,
      environment: n.environment ?? null,
      detail: { ...(n.detail ?? {}) },
      firstSeenMs: n.firstSeenMs,
      lastSeenMs: n.lastSeenMs,
    })),
    edgeFacts: [...acc.edgeMeta.values()].map((e) => ({ ...e, tables: [...e.tables] })),
    completeness: [...acc.completeness].map(([minute, c]) => ({ minute, ...c })),
  };
}
