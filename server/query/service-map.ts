import "server-only";
import type {
  CompletenessCounts,
  EdgeMinuteRow,
  GraphNodeRow,
  RedMinute,
  ServiceEntry,
  TelemetryReader,
} from "../store";
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
import { addEncodedSketches, decodeSketch } from "../aggregate/red";
import { noteStoreChanges, readWithHourCache } from "./hour-cache";
import { SERVED_KINDS } from "./services";
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

/** Fallback metadata for an edge endpoint whose node row is missing (e.g. pruned). */
function nodeFromId(id: string, seenMs: number): NodeMeta {
  const colon = id.indexOf(":");
  const kind = (colon > 0 ? id.slice(0, colon) : "external") as NodeKind;
  const environment = environmentOfNodeId(id);
  const rest = id.slice(colon + 1);
  const name = environment === null ? rest : rest.replace(/[?&]env=[^&?]*$/, "");
  return { id, kind, name, firstSeenMs: seenMs, lastSeenMs: seenMs, environment };
}

/**
 * An edge summed so far, its sketches encoded: parts (stored rows, cached blocks) are added in
 * their encoded form (addEncodedSketches) and decoded once per edge at the end. A packed edge
 * put in a map is owned by it: adding a part never changes the part.
 */
type PackedEdge = Omit<MergedEdge, "clientSketch" | "serverSketch"> & {
  clientSketch: Uint8Array;
  serverSketch: Uint8Array;
};
type PackedEdges = Map<string, PackedEdge>;

function addPackedEdge(into: PackedEdges, key: string, p: PackedEdge): void {
  const e = into.get(key);
  if (!e) {
    into.set(key, { ...p, tables: [...p.tables] });
    return;
  }
  addEdgeTotals(e, p);
  e.clientSketch = addEncodedSketches(e.clientSketch, p.clientSketch);
  e.serverSketch = addEncodedSketches(e.serverSketch, p.serverSketch);
}

function addEdgeRows(
  rows: readonly EdgeMinuteRow[],
  tables: Map<string, string[]>,
  into: (r: EdgeMinuteRow) => PackedEdges,
): void {
  for (const r of rows) {
    const key = `${r.source}\u0000${r.target}\u0000${r.protocol}`;
    const minuteMs = r.minute * 60_000;
    const lastMs = (r.lastMinute ?? r.minute) * 60_000;
    const edges = into(r);
    addPackedEdge(edges, key, {
      source: r.source,
      target: r.target,
      protocol: r.protocol as EdgeProtocol,
      calls: r.calls,
      errors: r.errors,
      connects: r.connects,
      clientSketch: r.clientSketch,
      serverSketch: r.serverSketch,
      firstSeenMs: minuteMs,
      lastSeenMs: lastMs + 59_999,
      tables: edges.has(key) ? [] : (tables.get(key) ?? []),
    });
  }
}

/** A window's graph as cached: edges (sketches encoded) and completeness, read together. */
interface GraphPart {
  edges: PackedEdges;
  completeness: CompletenessCounts;
}

function addCompleteness(into: CompletenessCounts, c: CompletenessCounts): void {
  into.paired += c.paired;
  into.unpairedClient += c.unpairedClient;
  into.unpairedServer += c.unpairedServer;
  into.virtual += c.virtual;
  into.expired += c.expired;
  into.dropped += c.dropped;
}

const emptyGraphPart = (): GraphPart => ({ edges: new Map(), completeness: { ...emptyCounts() } });

/** A window's edges and completeness, each part of it (range or cached block) from one store read. */
async function readGraph(
  t: TelemetryReader,
  lo: number,
  hi: number,
  nowMs: number,
  count: ReadCount,
  fresh: Promise<void>,
): Promise<{ edges: MergedEdge[]; completeness: CompletenessCounts }> {
  // Facts are global (not per window): read beside the window's rows and joined at the end.
  const facts = t.graph.readEdgeFacts();
  const tables = new Map<string, string[]>();
  const merged = await readWithHourCache(
    t,
    "graph",
    lo,
    hi,
    nowMs,
    {
      // Minutes are summed over the range: per-hour rows (at most two per edge) are all it needs.
      read: async (into, a, b) => {
        const found = await t.graph.readGraphHours({ fromMinute: a, toMinute: b });
        count.rows += found.edges.length + found.completeness.length;
        addEdgeRows(found.edges, tables, () => into.edges);
        for (const c of found.completeness) addCompleteness(into.completeness, c);
      },
      readHours: async (a, b) => {
        const found = await t.graph.readGraphHours({ fromMinute: a, toMinute: b });
        count.rows += found.edges.length + found.completeness.length;
        const hours = new Map<number, GraphPart>();
        const hourOf = (minute: number) => {
          const start = Math.floor(minute / 60) * 60;
          let m = hours.get(start);
          if (!m) hours.set(start, (m = emptyGraphPart()));
          return m;
        };
        addEdgeRows(found.edges, tables, (r) => hourOf(r.minute).edges);
        for (const c of found.completeness) addCompleteness(hourOf(c.minute).completeness, c);
        return hours;
      },
      empty: emptyGraphPart,
      // Already compact; the cached part is never added to once kept.
      pack: (m) => m,
      mergePacked: (into, part) => {
        for (const [key, p] of part.edges) addPackedEdge(into.edges, key, p);
        addCompleteness(into.completeness, part.completeness);
      },
    },
    fresh,
  );
  for (const m of await facts) tables.set(`${m.source}\u0000${m.target}\u0000${m.protocol}`, m.tables);
  const edges = [...merged.edges.values()].map((e) => ({
    ...e,
    clientSketch: decodeSketch(e.clientSketch),
    serverSketch: decodeSketch(e.serverSketch),
    tables: tables.get(`${e.source}\u0000${e.target}\u0000${e.protocol}`) ?? [],
  }));
  return { edges, completeness: merged.completeness };
}

/** Requests each service served in the window (SERVER = 2, CONSUMER = 5 RED rows), sketch encoded. */
type PackedServed = { requests: number; errors: number; sketch: Uint8Array };

function addPackedServed(into: Map<string, PackedServed>, name: string, p: PackedServed): void {
  const s = into.get(name);
  if (!s) {
    into.set(name, { ...p });
    return;
  }
  s.requests += p.requests;
  s.errors += p.errors;
  s.sketch = addEncodedSketches(s.sketch, p.sketch);
}

function addServedRows(rows: readonly RedMinute[], into: (r: RedMinute) => Map<string, PackedServed>): void {
  for (const r of rows) {
    const id = serviceNode(serviceKey(r.service, r.environment || null)).id;
    addPackedServed(into(r), id, { requests: r.count, errors: r.errors, sketch: r.sketch });
  }
}

/** Requests each service (by node id) served in the window (SERVER = 2, CONSUMER = 5 RED rows). */
async function readServed(
  t: TelemetryReader,
  lo: number,
  hi: number,
  nowMs: number,
  count: ReadCount,
  fresh: Promise<void>,
): Promise<Map<string, ServedStats>> {
  const served = await readWithHourCache(
    t,
    "served",
    lo,
    hi,
    nowMs,
    {
      read: async (into, a, b) => {
        const found = await t.rollups.readRedHours({ fromMinute: a, toMinute: b, kinds: SERVED_KINDS });
        count.rows += found.length;
        addServedRows(found, () => into);
      },
      readHours: async (a, b) => {
        const found = await t.rollups.readRedHours({ fromMinute: a, toMinute: b, kinds: SERVED_KINDS });
        count.rows += found.length;
        const hours = new Map<number, Map<string, PackedServed>>();
        addServedRows(found, (r) => {
          const start = Math.floor(r.minute / 60) * 60;
          let m = hours.get(start);
          if (!m) hours.set(start, (m = new Map()));
          return m;
        });
        return hours;
      },
      empty: () => new Map<string, PackedServed>(),
      pack: (m) => m,
      mergePacked: (into, part) => {
        for (const [name, p] of part) addPackedServed(into, name, p);
      },
    },
    fresh,
  );
  return new Map([...served].map(([k, v]) => [k, { ...v, sketch: decodeSketch(v.sketch) }]));
}

type MapNodeMeta = NodeMeta & { namespace?: string | null; environment?: string | null };

function toNodeMeta(r: GraphNodeRow): MapNodeMeta {
  return {
    id: r.id,
    kind: r.kind as NodeKind,
    name: r.name,
    system: r.system,
    host: r.host,
    port: r.port,
    database: r.database,
    detail: r.detail as NodeDetail,
    firstSeenMs: r.firstSeenMs,
    lastSeenMs: r.lastSeenMs,
    environment: r.environment,
  };
}

type WindowServices = [GraphNodeRow[], ServiceEntry[]];

/** Every service seen in the window: read beside the edges (they do not depend on them). */
function readWindowServices(t: TelemetryReader, q: ServiceMapQuery): Promise<WindowServices> {
  return Promise.all([
    t.graph.readServiceNodes(q.fromMs, q.toMs),
    t.rollups.listServices({ fromMs: q.fromMs, toMs: q.toMs }),
  ]);
}

async function readNodes(
  t: TelemetryReader,
  q: ServiceMapQuery,
  edges: MergedEdge[],
  served: Map<string, ServedStats>,
  [serviceNodes, catalog]: WindowServices,
): Promise<Map<string, MapNodeMeta>> {
  const nodes = new Map<string, MapNodeMeta>();
  // Every service seen in the window, including INTERNAL-only and isolated ones.
  for (const r of serviceNodes) nodes.set(r.id, toNodeMeta(r));
  for (const r of catalog) {
    const id = serviceNode(serviceKey(r.name, r.environment)).id;
    const cur = nodes.get(id);
    const meta = { namespace: r.namespace, environment: r.environment };
    if (cur) Object.assign(cur, meta);
    else
      nodes.set(id, {
        id,
        kind: "service",
        name: r.name,
        firstSeenMs: r.firstSeenMs,
        lastSeenMs: r.lastSeenMs,
        ...meta,
      });
  }
  for (const id of served.keys()) if (!nodes.has(id)) nodes.set(id, nodeFromId(id, q.fromMs));
  const missing = [...new Set(edges.flatMap((e) => [e.source, e.target]))].filter((id) => !nodes.has(id));
  const found = new Map((await t.graph.readNodes(missing)).map((r) => [r.id, r]));
  for (const e of edges) {
    for (const id of [e.source, e.target]) {
      if (nodes.has(id)) continue;
      const r = found.get(id);
      nodes.set(id, r ? toNodeMeta(r) : nodeFromId(id, e.firstSeenMs));
    }
  }
  return nodes;
}

/**
 * The service map of a window, from the per-minute rollups: typed nodes
 * with health and RED stats, edges with server-side stats when the callee is instrumented
 * (client-side otherwise; both exposed), and the pairing completeness of the window.
 */
export async function getServiceMap(telemetry: TelemetryReader, q: ServiceMapQuery): Promise<ServiceMap> {
  const [lo, hi] = minuteRange(q.fromMs, q.toMs);
  const count: ReadCount = { rows: 0 };
  const { edges, served, nodes, completeness } = await withSpan(
    "query.read",
    { "cartograph.window.minutes": hi - lo },
    async (span) => {
      const nowMs = q.nowMs ?? Date.now();
      // Other instances' writes into minutes this thread may have cached (shared stores only).
      const fresh = noteStoreChanges(telemetry);
      const [{ edges, completeness }, served, services] = await Promise.all([
        readGraph(telemetry, lo, hi, nowMs, count, fresh),
        readServed(telemetry, lo, hi, nowMs, count, fresh),
        readWindowServices(telemetry, q),
      ]);
      const nodes = await readNodes(telemetry, q, edges, served, services);
      span.setAttributes({
        "cartograph.rows_read": count.rows,
        "cartograph.map.edges": edges.length,
        "cartograph.map.nodes": nodes.size,
      });
      return { edges, served, nodes, completeness };
    },
  );
  return withSpan("query.assemble", {}, () => {
    const all = assembleServiceMap({
      nodes: nodes.values(),
      edges,
      served,
      completeness: { ...emptyCounts(), ...completeness },
      windowMs: q.toMs - q.fromMs,
    });
    const scoped = q.scope ? scopeServiceMap(all, q.scope) : all;
    return q.focus ? focusMap(scoped, q.focus, q.depth ?? 2) : scoped;
  });
}
