import "server-only";
import type { TelemetryReader } from "../store";
import {
  addEdgeTotals,
  assembleServiceMap,
  emptyCounts,
  type MergedEdge,
  type NodeDetail,
  type NodeKind,
  type NodeMeta,
  type ServedStats,
  type ServiceMap,
  type EdgeProtocol,
  type MapScope,
  focusMap,
  scopeServiceMap,
  serviceKey,
  environmentOfNodeId,
  serviceNode,
} from "../aggregate/servicegraph";
import { createSketch, encodeSketch, mergeEncodedInto } from "../aggregate/red";
import { readWithHourCache } from "./hour-cache";
import { withSpan } from "../platform/self-tracing";

/** Rows this query read from the store (cached blocks excluded): a self-tracing attribute. */
interface ReadCount {
  rows: number;
}

export interface ServiceMapQuery {
  fromMs: number;
  toMs: number;
  /** A node id; keeps its `depth`-hop neighbourhood (both directions). */
  focus?: string;
  depth?: number;
  /** One environment / namespace (absent: all). Applied before focus. */
  scope?: MapScope;
  /** For deciding which hours are complete (cacheable); default: the wall clock. */
  nowMs?: number;
}

/** Rollup minutes overlapping [fromMs, toMs). */
export function minuteRange(fromMs: number, toMs: number): [number, number] {
  return [Math.floor(fromMs / 60_000), Math.ceil(toMs / 60_000)];
}

type Row = Record<string, unknown>;

function parseDetail(text: unknown): NodeDetail {
  if (typeof text !== "string") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as NodeDetail) : {};
  } catch {
    return {};
  }
}

/** Fallback metadata for an edge endpoint whose node row is missing (e.g. pruned). */
function nodeFromId(id: string, seenMs: number): NodeMeta {
  const colon = id.indexOf(":");
  const kind = (colon > 0 ? id.slice(0, colon) : "external") as NodeKind;
  const environment = environmentOfNodeId(id);
  const rest = id.slice(colon + 1);
  const name = environment === null ? rest : rest.replace(/[?&]env=[^&?]*$/, "");
  return { id, kind, name, firstSeenMs: seenMs, lastSeenMs: seenMs, environment };
}

/** An edge part with encoded sketches: a stored minute row, or a cached block (compact). */
type PackedEdge = Omit<MergedEdge, "clientSketch" | "serverSketch"> & { clientSketch: Buffer; serverSketch: Buffer };

function addPackedEdge(into: Map<string, MergedEdge>, key: string, p: PackedEdge): void {
  let e = into.get(key);
  if (!e) {
    e = { ...p, calls: 0, errors: 0, connects: 0, clientSketch: createSketch(), serverSketch: createSketch(), tables: [...p.tables] };
    into.set(key, e);
  }
  addEdgeTotals(e, p);
  mergeEncodedInto(e.clientSketch, p.clientSketch);
  mergeEncodedInto(e.serverSketch, p.serverSketch);
}

function readEdgeMinutes(db: TelemetryReader["db"], lo: number, hi: number, meta: Map<string, Row>, into: Map<string, MergedEdge>, count: ReadCount): void {
  const rows = db
    .prepare("SELECT source, target, protocol, minute, calls, errors, connects, client_sketch, server_sketch FROM edge_minute WHERE minute >= ? AND minute < ?")
    .all(lo, hi) as Row[];
  count.rows += rows.length;
  for (const r of rows) {
    const key = `${r.source}\u0000${r.target}\u0000${r.protocol}`;
    const minuteMs = Number(r.minute) * 60_000;
    addPackedEdge(into, key, {
      source: String(r.source), target: String(r.target), protocol: r.protocol as EdgeProtocol,
      calls: Number(r.calls), errors: Number(r.errors), connects: Number(r.connects),
      clientSketch: r.client_sketch as Buffer, serverSketch: r.server_sketch as Buffer,
      firstSeenMs: minuteMs, lastSeenMs: minuteMs + 59_999,
      tables: into.has(key) ? [] : ((parseDetail(meta.get(key)?.detail) as { tables?: string[] }).tables ?? []),
    });
  }
}

function packEdges(edges: Map<string, MergedEdge>): Map<string, PackedEdge> {
  const out = new Map<string, PackedEdge>();
  for (const [k, e] of edges) out.set(k, { ...e, clientSketch: encodeSketch(e.clientSketch), serverSketch: encodeSketch(e.serverSketch) });
  return out;
}

function readEdges(db: TelemetryReader["db"], lo: number, hi: number, nowMs: number, count: ReadCount): MergedEdge[] {
  const meta = new Map<string, Row>();
  for (const m of db.prepare("SELECT source, target, protocol, first_seen_ms, last_seen_ms, detail FROM graph_edges").all() as Row[]) {
    meta.set(`${m.source}\u0000${m.target}\u0000${m.protocol}`, m);
  }
  const merged = readWithHourCache(db, "edges", lo, hi, nowMs, {
    read: (into, a, b) => readEdgeMinutes(db, a, b, meta, into, count),
    empty: () => new Map<string, MergedEdge>(),
    pack: packEdges,
    mergePacked: (into, part) => {
      for (const [key, p] of part) addPackedEdge(into, key, p);
    },
  });
  return [...merged.values()];
}

/** Requests each service served in the window (SERVER = 2, CONSUMER = 5 rows of red_minute). */
type PackedServed = { requests: number; errors: number; sketch: Buffer };

function addPackedServed(into: Map<string, ServedStats>, name: string, p: PackedServed): void {
  let s = into.get(name);
  if (!s) into.set(name, (s = { requests: 0, errors: 0, sketch: createSketch() }));
  s.requests += p.requests;
  s.errors += p.errors;
  mergeEncodedInto(s.sketch, p.sketch);
}

/** Requests each service (by node id) served in the window (SERVER = 2, CONSUMER = 5 rows of red_minute). */
function readServed(db: TelemetryReader["db"], lo: number, hi: number, nowMs: number, count: ReadCount): Map<string, ServedStats> {
  const rows = db.prepare("SELECT service, environment, count, errors, sketch FROM red_minute WHERE minute >= ? AND minute < ? AND kind IN (2, 5)");
  return readWithHourCache(db, "served", lo, hi, nowMs, {
    read: (into, a, b) => {
      const found = rows.all(a, b) as Row[];
      count.rows += found.length;
      for (const r of found) {
        const id = serviceNode(serviceKey(String(r.service), (r.environment as string) || null)).id;
        addPackedServed(into, id, { requests: Number(r.count), errors: Number(r.errors), sketch: r.sketch as Buffer });
      }
    },
    empty: () => new Map<string, ServedStats>(),
    pack: (m) => new Map<string, PackedServed>([...m].map(([k, v]) => [k, { requests: v.requests, errors: v.errors, sketch: encodeSketch(v.sketch) }])),
    mergePacked: (into, part) => {
      for (const [name, p] of part) addPackedServed(into, name, p);
    },
  });
}

function readNodes(db: TelemetryReader["db"], q: ServiceMapQuery, edges: MergedEdge[], served: Map<string, ServedStats>) {
  const nodes = new Map<string, NodeMeta & { namespace?: string | null; environment?: string | null }>();
  const byId = db.prepare("SELECT * FROM graph_nodes WHERE id = ?");
  const add = (r: Row) => {
    nodes.set(String(r.id), {
      id: String(r.id), kind: r.kind as NodeKind, name: String(r.name),
      system: (r.system as string | null) ?? null, host: (r.host as string | null) ?? null,
      port: r.port === null || r.port === undefined ? null : Number(r.port), database: (r.database as string | null) ?? null,
      detail: parseDetail(r.detail), firstSeenMs: Number(r.first_seen_ms), lastSeenMs: Number(r.last_seen_ms),
      environment: (r.environment as string | null) ?? null,
    });
  };
  // Every service seen in the window, including INTERNAL-only and isolated ones.
  for (const r of db.prepare("SELECT * FROM graph_nodes WHERE kind = 'service' AND last_seen_ms >= ? AND first_seen_ms < ?").all(q.fromMs, q.toMs) as Row[]) add(r);
  for (const r of db.prepare("SELECT name, namespace, environment, first_seen_ms, last_seen_ms FROM services WHERE last_seen_ms >= ? AND first_seen_ms < ?").all(q.fromMs, q.toMs) as Row[]) {
    const env = (r.environment as string | null) || null;
    const id = serviceNode(serviceKey(String(r.name), env)).id;
    const cur = nodes.get(id);
    const meta = { namespace: (r.namespace as string | null) ?? null, environment: env };
    if (cur) Object.assign(cur, meta);
    else nodes.set(id, { id, kind: "service", name: String(r.name), firstSeenMs: Number(r.first_seen_ms), lastSeenMs: Number(r.last_seen_ms), ...meta });
  }
  for (const id of served.keys()) if (!nodes.has(id)) nodes.set(id, nodeFromId(id, q.fromMs));
  for (const e of edges) {
    for (const id of [e.source, e.target]) {
      if (nodes.has(id)) continue;
      const r = byId.get(id) as Row | undefined;
      if (r) add(r);
      else nodes.set(id, nodeFromId(id, e.firstSeenMs));
    }
  }
  return nodes;
}

function readCompleteness(db: TelemetryReader["db"], lo: number, hi: number) {
  const r = db
    .prepare(`SELECT COALESCE(SUM(paired),0) AS paired, COALESCE(SUM(unpaired_client),0) AS uc, COALESCE(SUM(unpaired_server),0) AS us,
      COALESCE(SUM(virtual),0) AS v, COALESCE(SUM(expired),0) AS ex, COALESCE(SUM(dropped),0) AS dr FROM graph_stats_minute WHERE minute >= ? AND minute < ?`)
    .get(lo, hi) as Record<string, number>;
  const c = emptyCounts();
  c.paired = r.paired!; c.unpairedClient = r.uc!; c.unpairedServer = r.us!; c.virtual = r.v!; c.expired = r.ex!; c.dropped = r.dr!;
  return c;
}

/**
 * The service map of a window, from the per-minute rollups: typed nodes
 * with health and RED stats, edges with server-side stats when the callee is instrumented
 * (client-side otherwise; both exposed), and the pairing completeness of the window.
 */
export function getServiceMap(telemetry: TelemetryReader, q: ServiceMapQuery): ServiceMap {
  const db = telemetry.db;
  const [lo, hi] = minuteRange(q.fromMs, q.toMs);
  const count: ReadCount = { rows: 0 };
  const read = db.transaction(() => {
    const nowMs = q.nowMs ?? Date.now();
    const edges = readEdges(db, lo, hi, nowMs, count);
    const served = readServed(db, lo, hi, nowMs, count);
    const nodes = readNodes(db, q, edges, served);
    return { edges, served, nodes, completeness: readCompleteness(db, lo, hi) };
  });
  const { edges, served, nodes, completeness } = withSpan("query.read", { "cartograph.window.minutes": hi - lo }, (span) => {
    const r = read();
    span.setAttributes({ "cartograph.rows_read": count.rows, "cartograph.map.edges": r.edges.length, "cartograph.map.nodes": r.nodes.size });
    return r;
  });
  return withSpan("query.assemble", {}, () => {
    const all = assembleServiceMap({ nodes: nodes.values(), edges, served, completeness, windowMs: q.toMs - q.fromMs });
    const scoped = q.scope ? scopeServiceMap(all, q.scope) : all;
    return q.focus ? focusMap(scoped, q.focus, q.depth ?? 2) : scoped;
  });
}
