import "server-only";
import { createSketch, mergeSketches, type Sketch } from "../red/sketch";
import { buildRedStats, type RedStats } from "../red/red-stats";
import { classifyHealth } from "./health";
import { stripEnvironment } from "../../../lib/node-id";
import type { Completeness, MapEdge, MapNode, ServiceMap } from "../../../lib/contract";
import type { NodeMeta } from "./graph-accumulator";
import type { EdgeProtocol, PairingCounts } from "./types";

/**
 * Turns merged rollups into the API's service-map shape (the service-map answer of the API). Shared by the
 * rollup query (tier 1) and the rebuild from stored spans (tier 2).
 */
/** The answer's shapes are the contract's (lib/contract service-map), so the compiler holds the map to it. */
export type { MapNode, MapEdge, ServiceMap };
export type MapStats = RedStats;
export type MapCompleteness = Completeness;

export interface MergedEdge {
  source: string;
  target: string;
  protocol: EdgeProtocol;
  calls: number;
  errors: number;
  connects: number;
  clientSketch: Sketch;
  serverSketch: Sketch;
  firstSeenMs: number;
  lastSeenMs: number;
  tables: string[];
}

/** Adds an edge part's counts and seen-range into `into` (sketches are merged by the caller). */
type EdgeTotals = Pick<MergedEdge, "calls" | "errors" | "connects" | "firstSeenMs" | "lastSeenMs">;

export function addEdgeTotals(into: EdgeTotals, part: EdgeTotals): void {
  into.calls += part.calls;
  into.errors += part.errors;
  into.connects += part.connects;
  into.firstSeenMs = Math.min(into.firstSeenMs, part.firstSeenMs);
  into.lastSeenMs = Math.max(into.lastSeenMs, part.lastSeenMs);
}

export interface ServedStats {
  requests: number;
  errors: number;
  sketch: Sketch;
}

export interface AssembleInput {
  nodes: Iterable<NodeMeta & { namespace?: string | null; environment?: string | null }>;
  edges: Iterable<MergedEdge>;
  /** Requests each service served (SERVER + CONSUMER spans), keyed by service node id. */
  served: Map<string, ServedStats>;
  completeness: PairingCounts;
  windowMs: number;
  focus?: string;
  depth?: number;
}

export function computeStats(requests: number, errors: number, sketch: Sketch | null, windowMs: number): MapStats {
  return buildRedStats(requests, errors, sketch, windowMs / 1000);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One edge per (source, target) pair over its protocols. A pair with one protocol keeps its
 * edge as it came; a second protocol makes a merged copy (the input is never changed).
 */
function mergeEdgesByPair(
  edges: Iterable<MergedEdge>,
): Map<string, { e: MergedEdge; byProtocol: Map<EdgeProtocol, number>; copied: boolean }> {
  const out = new Map<string, { e: MergedEdge; byProtocol: Map<EdgeProtocol, number>; copied: boolean }>();
  for (const e of edges) {
    const id = `${e.source}->${e.target}`;
    const cur = out.get(id);
    if (!cur) {
      out.set(id, { e, byProtocol: new Map([[e.protocol, e.calls + e.connects]]), copied: false });
      continue;
    }
    if (!cur.copied) {
      const first = cur.e;
      cur.e = { ...first, clientSketch: createSketch(), serverSketch: createSketch(), tables: [...first.tables] };
      mergeSketches(cur.e.clientSketch, first.clientSketch);
      mergeSketches(cur.e.serverSketch, first.serverSketch);
      cur.copied = true;
    }
    const m = cur.e;
    addEdgeTotals(m, e);
    mergeSketches(m.clientSketch, e.clientSketch);
    mergeSketches(m.serverSketch, e.serverSketch);
    for (const t of e.tables) if (!m.tables.includes(t)) m.tables.push(t);
    cur.byProtocol.set(e.protocol, (cur.byProtocol.get(e.protocol) ?? 0) + e.calls + e.connects);
  }
  return out;
}

/** Calls into or out of a node, summed over its edges; the sketches are merged only when read. */
interface NodeCalls {
  requests: number;
  errors: number;
  sketches: Sketch[];
}

function mergedSketch(calls: NodeCalls): Sketch {
  if (calls.sketches.length === 1) return calls.sketches[0]!;
  const out = createSketch();
  for (const s of calls.sketches) mergeSketches(out, s);
  return out;
}

export function assembleServiceMap(input: AssembleInput): ServiceMap {
  const { windowMs } = input;
  const edges: MapEdge[] = [];
  const incoming = new Map<string, NodeCalls>();
  const outgoing = new Map<string, NodeCalls>();
  const bump = (map: typeof incoming, id: string, calls: number, errors: number, sk: Sketch) => {
    let cur = map.get(id);
    if (!cur) map.set(id, (cur = { requests: 0, errors: 0, sketches: [] }));
    cur.requests += calls;
    cur.errors += errors;
    cur.sketches.push(sk);
  };
  for (const [id, { e, byProtocol }] of mergeEdgesByPair(input.edges)) {
    const clientStats =
      e.clientSketch.count > 0 || e.serverSketch.count === 0
        ? computeStats(e.calls, e.errors, e.clientSketch, windowMs)
        : null;
    const serverStats = e.serverSketch.count > 0 ? computeStats(e.calls, e.errors, e.serverSketch, windowMs) : null;
    const protocols = [...byProtocol.entries()].sort((a, b) => b[1] - a[1]).map(([p]) => p);
    edges.push({
      id,
      source: e.source,
      target: e.target,
      protocol: protocols[0]!,
      protocols,
      health: classifyHealth(e.calls, e.errors),
      stats: (serverStats ?? clientStats)!,
      statsSide: serverStats ? "server" : "client",
      clientStats,
      serverStats,
      connects: e.connects,
      tables: e.tables,
      firstSeen: iso(e.firstSeenMs),
      lastSeen: iso(e.lastSeenMs),
    });
    const sideSketch = e.serverSketch.count > 0 ? e.serverSketch : e.clientSketch;
    bump(incoming, e.target, e.calls, e.errors, sideSketch);
    bump(outgoing, e.source, e.calls, e.errors, e.clientSketch.count > 0 ? e.clientSketch : sideSketch);
  }
  const nodes: MapNode[] = [];
  for (const n of input.nodes) {
    let st: { requests: number; errors: number; sketch: Sketch | null } | undefined;
    if (n.kind === "service") st = input.served.get(n.id);
    else {
      const calls = (n.kind === "client" ? outgoing : incoming).get(n.id);
      if (calls) st = { requests: calls.requests, errors: calls.errors, sketch: mergedSketch(calls) };
    }
    const requests = st?.requests ?? 0;
    const errors = st?.errors ?? 0;
    const node: MapNode = {
      id: n.id,
      kind: n.kind,
      name: n.name,
      // A service listed here was seen in the window: with no served requests it is "ok"
      // (as in /api/v1/services), not "unknown".
      health: n.kind === "service" && requests === 0 ? "ok" : classifyHealth(requests, errors),
      stats: computeStats(requests, errors, st && st.sketch && st.sketch.count > 0 ? st.sketch : null, windowMs),
      instrumented: n.kind === "service",
      firstSeen: iso(n.firstSeenMs),
      lastSeen: iso(n.lastSeenMs),
    };
    if (n.system) node.system = n.system;
    if (n.host) node.host = n.host;
    if (typeof n.port === "number") node.port = n.port;
    if (n.database) node.database = n.database;
    if (n.namespace) node.namespace = n.namespace;
    if (n.environment) node.environment = n.environment;
    if (n.detail && Object.keys(n.detail).length > 0) node.detail = n.detail;
    nodes.push(node);
  }
  nodes.sort((a, b) => a.id.localeCompare(b.id));
  edges.sort((a, b) => a.id.localeCompare(b.id));
  const c = input.completeness;
  const denom = c.paired + c.unpairedClient + c.unpairedServer;
  const map: ServiceMap = {
    nodes,
    edges,
    completeness: {
      pairedCalls: c.paired,
      unpairedClientSpans: c.unpairedClient,
      unpairedServerSpans: c.unpairedServer,
      virtualCalls: c.virtual,
      expired: c.expired,
      dropped: c.dropped,
      ratio: denom > 0 ? c.paired / denom : null,
    },
  };
  return input.focus ? focusMap(map, input.focus, input.depth ?? 2) : map;
}

/** Keeps the nodes within `depth` hops of `focus` (edges followed both ways) and the edges among them. */
export function focusMap(map: ServiceMap, wanted: string, depth: number): ServiceMap {
  // A focus that names no environment (`service:checkout`, as links written before environments
  // do) is the node of that name when exactly one environment has it.
  let focus = wanted;
  if (!map.nodes.some((n) => n.id === focus)) {
    const same = map.nodes.filter((n) => stripEnvironment(n.id) === wanted);
    if (same.length !== 1) return { ...map, nodes: [], edges: [] };
    focus = same[0]!.id;
  }
  const adj = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    const l = adj.get(a);
    if (l) l.push(b);
    else adj.set(a, [b]);
  };
  for (const e of map.edges) {
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const seen = new Set([focus]);
  let frontier = [focus];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier)
      for (const nb of adj.get(id) ?? [])
        if (!seen.has(nb)) {
          seen.add(nb);
          next.push(nb);
        }
    frontier = next;
  }
  return {
    ...map,
    nodes: map.nodes.filter((n) => seen.has(n.id)),
    edges: map.edges.filter((e) => seen.has(e.source) && seen.has(e.target)),
  };
}
