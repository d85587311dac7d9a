import "server-only";
import type { GraphEdgeRow, GraphNodeRow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { mergeNodeDetail, parseJson, splitDetails, unionLists } from "./graph-io";
import { graphWrittenSince } from "./graph-writes";
import { visibleGraphRows } from "./hour-rollups";
import { sqlInt } from "./sql";

/**
 * The graph's node and edge catalog (what readNodes, readServiceNodes and readEdgeFacts answer),
 * kept per connection and advanced pass by pass. Every map query needs it, and reading it from
 * graph_nodes / graph_edges scanned every retained pass row (~180k rows with 10-second passes:
 * the largest read of a map of the last hour). Each merge is monotone (min first seen, max last
 * seen and attributes, union of details), so the catalog after pass P plus the rows of the
 * passes committed after P equals the catalog read whole. It is read whole again every
 * FULL_REFRESH_MS, so days dropped by retention leave it within that time. A window paired
 * again (early pass, then final, then after late spans) commits again: the refresh folds every
 * attempt committed since the last one, not only newer windows.
 */
const FULL_REFRESH_MS = 5 * 60_000;
/** Commits this far before the last one folded are folded again (leaders' clocks differ a little). */
const CLOCK_MARGIN_MS = 60_000;

interface NodeAcc {
  id: string;
  kind: string;
  name: string;
  system: string;
  host: string;
  port: number;
  database: string;
  environment: string;
  details: Set<string>;
  first: number;
  last: number;
}

interface EdgeAcc {
  source: string;
  target: string;
  protocol: string;
  details: Set<string>;
  first: number;
  last: number;
}

interface Catalog {
  /** Latest committed pass folded in. */
  throughPass: number;
  /** Latest commit time folded in (graph_passes.committed_ms). */
  committedMs: number;
  builtAt: number;
  nodes: Map<string, NodeAcc>;
  edges: Map<string, EdgeAcc>;
}

type Row = Record<string, unknown>;
const catalogs = new WeakMap<Connection, { current?: Catalog; pending?: Promise<Catalog>; checkedAt?: number }>();
/**
 * A catalog checked this recently is used as it is for node lookups (unless this process wrote
 * graph rows through the connection since): a map read asks for it at its start (edge facts,
 * service nodes) and again once its edges are in (their nodes); without this the second ask was
 * one more commit check after everything else, on every map. Edge facts and service listings
 * always check: they answer whether an edge or a service exists, and another thread or instance
 * may have committed the pass that recorded it a moment ago (an edge drawn on the map must not
 * answer 404 on its own page).
 */
const REUSE_MS = 1000;
const maxStr = (a: string, b: string) => (b > a ? b : a);

function foldNode(into: Map<string, NodeAcc>, r: Row): void {
  const id = String(r.id);
  const cur = into.get(id);
  const details = splitDetails(r.details);
  if (!cur) {
    into.set(id, {
      id,
      kind: String(r.k),
      name: String(r.nm),
      system: String(r.sys),
      host: String(r.h),
      port: Number(r.pt),
      database: String(r.dbn),
      environment: String(r.env),
      details: new Set(details),
      first: Number(r.f),
      last: Number(r.l),
    });
    return;
  }
  cur.system = maxStr(cur.system, String(r.sys));
  cur.host = maxStr(cur.host, String(r.h));
  cur.port = Math.max(cur.port, Number(r.pt));
  cur.database = maxStr(cur.database, String(r.dbn));
  cur.environment = maxStr(cur.environment, String(r.env));
  for (const d of details) cur.details.add(d);
  cur.first = Math.min(cur.first, Number(r.f));
  cur.last = Math.max(cur.last, Number(r.l));
}

function foldEdge(into: Map<string, EdgeAcc>, r: Row): void {
  const key = `${String(r.source)}\u0000${String(r.target)}\u0000${String(r.protocol)}`;
  const cur = into.get(key);
  const details = splitDetails(r.details);
  if (!cur) {
    into.set(key, {
      source: String(r.source),
      target: String(r.target),
      protocol: String(r.protocol),
      details: new Set(details),
      first: Number(r.f),
      last: Number(r.l),
    });
    return;
  }
  for (const d of details) cur.details.add(d);
  cur.first = Math.min(cur.first, Number(r.f));
  cur.last = Math.max(cur.last, Number(r.l));
}

/** Reads the rows `filter` keeps, grouped, and folds them into `c`. */
async function foldRows(conn: Connection, c: Catalog, filter: string): Promise<void> {
  const db = conn.settings.database;
  const [nodes, edges] = await Promise.all([
    queryRows<Row>(
      conn.main,
      `SELECT id, any(kind) AS k, any(name) AS nm, max(system) AS sys, max(host) AS h, max(port) AS pt, max(database) AS dbn,
        max(environment) AS env, groupUniqArray(detail) AS details, min(first_seen_ms) AS f, max(last_seen_ms) AS l
        FROM ${db}.graph_nodes WHERE ${filter} GROUP BY id`,
    ),
    queryRows<Row>(
      conn.main,
      `SELECT source, target, protocol, min(first_seen_ms) AS f, max(last_seen_ms) AS l, groupUniqArray(detail) AS details
        FROM ${db}.graph_edges WHERE ${filter} GROUP BY source, target, protocol`,
    ),
  ]);
  for (const r of nodes) foldNode(c.nodes, r);
  for (const r of edges) foldEdge(c.edges, r);
}

/** The latest pass window and the latest commit time (a window re-paired later commits again). */
async function latestCommit(conn: Connection): Promise<{ pass: number; committedMs: number }> {
  const [r] = await queryRows<{ p: string | number; c: string | number; n: string | number }>(
    conn.main,
    `SELECT max(pass) AS p, max(committed_ms) AS c, count() AS n FROM ${conn.settings.database}.graph_passes`,
  );
  return r && Number(r.n) > 0 ? { pass: Number(r.p), committedMs: Number(r.c) } : { pass: -1, committedMs: -1 };
}

async function refresh(conn: Connection, prev: Catalog | undefined, nowMs: number): Promise<Catalog> {
  const latest = await latestCommit(conn);
  const through = latest.pass;
  if (prev && nowMs - prev.builtAt < FULL_REFRESH_MS) {
    if (through <= prev.throughPass && latest.committedMs <= prev.committedMs) return prev;
    const next: Catalog = {
      ...prev,
      throughPass: Math.max(through, prev.throughPass),
      committedMs: latest.committedMs,
      nodes: new Map(prev.nodes),
      edges: new Map(prev.edges),
    };
    for (const [k, v] of next.nodes) next.nodes.set(k, { ...v, details: new Set(v.details) });
    for (const [k, v] of next.edges) next.edges.set(k, { ...v, details: new Set(v.details) });
    const db = conn.settings.database;
    // Every attempt committed since the last refresh, re-runs of old windows included (folding
    // one twice changes nothing); the margin covers two leaders' clocks.
    await foldRows(
      conn,
      next,
      `(pass, attempt) GLOBAL IN (SELECT pass, attempt FROM ${db}.graph_passes WHERE pass > ${sqlInt(prev.throughPass)}
        OR committed_ms >= ${sqlInt(Math.max(0, prev.committedMs - CLOCK_MARGIN_MS))})`,
    );
    return next;
  }
  const fresh: Catalog = {
    throughPass: through,
    committedMs: latest.committedMs,
    builtAt: nowMs,
    nodes: new Map(),
    edges: new Map(),
  };
  await foldRows(
    conn,
    fresh,
    `pass <= ${sqlInt(Math.max(through, 0))} AND ${visibleGraphRows(conn.settings.database)}`,
  );
  return fresh;
}

/** The catalog as of the latest committed pass (one refresh at a time per connection). */
async function readCatalog(conn: Connection, reuseRecent: boolean): Promise<Catalog> {
  let slot = catalogs.get(conn);
  if (!slot) catalogs.set(conn, (slot = {}));
  const s = slot;
  const now = performance.now();
  const recent =
    reuseRecent && s.checkedAt !== undefined && now - s.checkedAt < REUSE_MS && !graphWrittenSince(conn, s.checkedAt);
  if (!s.pending && s.current && recent) return s.current;
  if (!s.pending) {
    s.checkedAt = now;
    s.pending = refresh(conn, s.current, Date.now())
      .then((c) => (s.current = c))
      .finally(() => (s.pending = undefined));
  }
  return s.pending;
}

function toNode(n: NodeAcc): GraphNodeRow {
  return {
    id: n.id,
    kind: n.kind,
    name: n.name,
    system: n.system || null,
    host: n.host || null,
    port: n.port >= 0 ? n.port : null,
    database: n.database || null,
    environment: n.environment || null,
    detail: mergeNodeDetail([...n.details]),
    firstSeenMs: n.first,
    lastSeenMs: n.last,
  };
}

const byId = (a: GraphNodeRow, b: GraphNodeRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function readNodes(conn: Connection, ids: readonly string[]): Promise<GraphNodeRow[]> {
  if (ids.length === 0) return [];
  const c = await readCatalog(conn, true);
  return [...new Set(ids)].flatMap((id) => (c.nodes.has(id) ? [toNode(c.nodes.get(id)!)] : [])).sort(byId);
}

export async function readServiceNodes(conn: Connection, fromMs: number, toMs: number): Promise<GraphNodeRow[]> {
  const c = await readCatalog(conn, false);
  return [...c.nodes.values()]
    .filter((n) => n.kind === "service" && n.last >= fromMs && n.first < toMs)
    .map(toNode)
    .sort(byId);
}

/** Facts of every edge still in retention (all committed passes). */
export async function readEdgeFacts(conn: Connection): Promise<GraphEdgeRow[]> {
  const c = await readCatalog(conn, false);
  return [...c.edges.values()].map((e) => ({
    source: e.source,
    target: e.target,
    protocol: e.protocol,
    firstSeenMs: e.first,
    lastSeenMs: e.last,
    tables: unionLists([...e.details].map((d) => parseJson(d).tables)).sort(),
  }));
}
