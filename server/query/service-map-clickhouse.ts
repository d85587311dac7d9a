import "server-only";
import type { ClickHouseStore } from "../store";
import {
  assembleServiceMap,
  environmentOfNodeId,
  focusMap,
  scopeServiceMap,
  serviceKey,
  serviceNode,
  type EdgeProtocol,
  type MergedEdge,
  type NodeDetail,
  type NodeKind,
  type NodeMeta,
  type ServedStats,
  type ServiceMap,
} from "../aggregate/servicegraph";
import { decodeSketch } from "../aggregate/red";
import { minuteRange, type ServiceMapQuery } from "./service-map";

type MapNodeMeta = NodeMeta & { namespace?: string | null; environment?: string | null };

function nodeFromId(id: string, seenMs: number): MapNodeMeta {
  const colon = id.indexOf(":");
  const kind = (colon > 0 ? id.slice(0, colon) : "external") as NodeKind;
  const environment = environmentOfNodeId(id);
  const rest = id.slice(colon + 1);
  const name = environment === null ? rest : rest.replace(/[?&]env=[^&?]*$/, "");
  return { id, kind, name, firstSeenMs: seenMs, lastSeenMs: seenMs, environment };
}

/**
 * The service map of a window on the ClickHouse store: the same node selection and the same
 * assembleServiceMap as the SQLite query, over rollups that ClickHouse merged across minutes,
 * shards and instances (counts summed, sketches merged in SQL).
 */
export async function getServiceMapFromClickHouse(store: ClickHouseStore, q: ServiceMapQuery): Promise<ServiceMap> {
  const [lo, hi] = minuteRange(q.fromMs, q.toMs);
  const [graph, servedRows, services] = await Promise.all([
    store.readGraphWindow(lo, hi),
    store.readServed(lo, hi),
    store.rollups.listServices({ fromMs: q.fromMs, toMs: q.toMs }),
  ]);
  const edges: MergedEdge[] = graph.edges.map((e) => ({
    source: e.source,
    target: e.target,
    protocol: e.protocol as EdgeProtocol,
    calls: e.calls,
    errors: e.errors,
    connects: e.connects,
    clientSketch: decodeSketch(e.clientSketch),
    serverSketch: decodeSketch(e.serverSketch),
    firstSeenMs: e.firstSeenMs,
    lastSeenMs: e.lastSeenMs,
    tables: e.tables,
  }));
  const served = new Map<string, ServedStats>(
    servedRows.map((r) => [
      serviceNode(serviceKey(r.service, r.environment)).id,
      { requests: r.requests, errors: r.errors, sketch: decodeSketch(r.sketch) },
    ]),
  );
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const nodes = new Map<string, MapNodeMeta>();
  const add = (id: string, fallbackMs: number) => {
    const n = byId.get(id);
    nodes.set(
      id,
      n ? { ...n, kind: n.kind as NodeKind, detail: n.detail as NodeDetail | undefined } : nodeFromId(id, fallbackMs),
    );
  };
  for (const n of graph.nodes) if (n.kind === "service") add(n.id, q.fromMs);
  for (const s of services) {
    const id = serviceNode(serviceKey(s.name, s.environment)).id;
    const meta = { namespace: s.namespace, environment: s.environment };
    const cur = nodes.get(id);
    if (cur) Object.assign(cur, meta);
    else
      nodes.set(id, {
        id,
        kind: "service",
        name: s.name,
        firstSeenMs: s.firstSeenMs,
        lastSeenMs: s.lastSeenMs,
        ...meta,
      });
  }
  for (const id of served.keys()) if (!nodes.has(id)) nodes.set(id, nodeFromId(id, q.fromMs));
  for (const e of edges) for (const id of [e.source, e.target]) if (!nodes.has(id)) add(id, e.firstSeenMs);
  const all = assembleServiceMap({
    nodes: nodes.values(),
    edges,
    served,
    completeness: graph.completeness,
    windowMs: q.toMs - q.fromMs,
  });
  const scoped = q.scope ? scopeServiceMap(all, q.scope) : all;
  return q.focus ? focusMap(scoped, q.focus, q.depth ?? 2) : scoped;
}
