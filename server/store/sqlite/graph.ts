import "server-only";
import type { Db } from "./open";
import { mergeEncodedSketches } from "../sketch";
import { toBuffer } from "./rollups";
import { mergeEdgeRowsByHour } from "../hour-rows";
import type {
  CompletenessCounts,
  EdgeMinuteQuery,
  EdgeMinuteRow,
  GraphBatch,
  GraphEdgeRow,
  GraphNodeRow,
  GraphStore,
  MinuteWindow,
} from "../telemetry-store";

/** Longest detail list kept per node or edge (as the graph stage caps them). */
const MAX_DETAIL = 64;

/**
 * The service graph in SQLite: edge_minute (one row per edge and minute), graph_nodes,
 * graph_edges (first/last seen, tables) and graph_stats_minute (completeness). A batch that
 * meets stored rows merges with them (counts added, sketches merged, lists unioned, first/last
 * seen widened), never overwrites them.
 */
export function createGraphStore(db: Db): GraphStore {
  const st = {
    getEdgeMinute: db.prepare(
      "SELECT calls, errors, connects, client_sketch, server_sketch FROM edge_minute WHERE source = ? AND target = ? AND protocol = ? AND minute = ?",
    ),
    putEdgeMinute: db.prepare(
      `INSERT OR REPLACE INTO edge_minute (source, target, protocol, minute, calls, errors, connects, client_sketch, server_sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getNode: db.prepare("SELECT detail, first_seen_ms, last_seen_ms FROM graph_nodes WHERE id = ?"),
    putNode: db.prepare(
      `INSERT OR REPLACE INTO graph_nodes (id, kind, name, system, host, port, database, environment, detail, first_seen_ms, last_seen_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getEdge: db.prepare(
      "SELECT detail, first_seen_ms, last_seen_ms FROM graph_edges WHERE source = ? AND target = ? AND protocol = ?",
    ),
    putEdge: db.prepare(
      "INSERT OR REPLACE INTO graph_edges (source, target, protocol, first_seen_ms, last_seen_ms, detail) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    addStats: db.prepare(
      `INSERT INTO graph_stats_minute (minute, paired, unpaired_client, unpaired_server, virtual, expired, dropped)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(minute) DO UPDATE SET paired = paired + excluded.paired, unpaired_client = unpaired_client + excluded.unpaired_client,
         unpaired_server = unpaired_server + excluded.unpaired_server, virtual = virtual + excluded.virtual,
         expired = expired + excluded.expired, dropped = dropped + excluded.dropped`,
    ),
    nodeById: db.prepare("SELECT * FROM graph_nodes WHERE id = ?"),
  };
  const merge = db.transaction((b: GraphBatch) => {
    for (const r of b.edges) {
      const prev = st.getEdgeMinute.get(r.source, r.target, r.protocol, r.minute) as
        { calls: number; errors: number; connects: number; client_sketch: Buffer; server_sketch: Buffer } | undefined;
      st.putEdgeMinute.run(
        r.source,
        r.target,
        r.protocol,
        r.minute,
        r.calls + (prev?.calls ?? 0),
        r.errors + (prev?.errors ?? 0),
        r.connects + (prev?.connects ?? 0),
        prev ? mergeEncodedSketches(prev.client_sketch, r.clientSketch) : toBuffer(r.clientSketch),
        prev ? mergeEncodedSketches(prev.server_sketch, r.serverSketch) : toBuffer(r.serverSketch),
      );
    }
    for (const n of b.nodes) {
      const prev = st.getNode.get(n.id) as { detail: string; first_seen_ms: number; last_seen_ms: number } | undefined;
      const detail = prev ? mergeDetailRecords(parseJson(prev.detail), n.detail) : n.detail;
      st.putNode.run(
        n.id,
        n.kind,
        n.name,
        n.system,
        n.host,
        n.port,
        n.database,
        n.environment,
        JSON.stringify(detail),
        prev ? Math.min(prev.first_seen_ms, n.firstSeenMs) : n.firstSeenMs,
        prev ? Math.max(prev.last_seen_ms, n.lastSeenMs) : n.lastSeenMs,
      );
    }
    for (const e of b.edgeFacts) {
      const prev = st.getEdge.get(e.source, e.target, e.protocol) as
        { detail: string; first_seen_ms: number; last_seen_ms: number } | undefined;
      const tables = prev ? unionList(tablesOf(prev.detail), e.tables) : e.tables;
      st.putEdge.run(
        e.source,
        e.target,
        e.protocol,
        prev ? Math.min(prev.first_seen_ms, e.firstSeenMs) : e.firstSeenMs,
        prev ? Math.max(prev.last_seen_ms, e.lastSeenMs) : e.lastSeenMs,
        JSON.stringify({ tables }),
      );
    }
    for (const c of b.completeness)
      st.addStats.run(c.minute, c.paired, c.unpairedClient, c.unpairedServer, c.virtual, c.expired, c.dropped);
  });
  const readEdgeRows = (q: EdgeMinuteQuery) => {
    const where = ["minute >= ?", "minute < ?"];
    const args: unknown[] = [q.fromMinute, q.toMinute];
    if (q.source !== undefined) {
      where.push("source = ?");
      args.push(q.source);
    }
    if (q.target !== undefined) {
      where.push("target = ?");
      args.push(q.target);
    }
    return db
      .prepare(
        `SELECT source, target, protocol, minute, calls, errors, connects, client_sketch, server_sketch FROM edge_minute WHERE ${where.join(" AND ")}`,
      )
      .all(...args);
  };
  const toEdgeRows = (rows: unknown[]) =>
    (rows as Record<string, unknown>[]).map((r): EdgeMinuteRow => ({
      source: String(r.source),
      target: String(r.target),
      protocol: String(r.protocol),
      minute: Number(r.minute),
      calls: Number(r.calls),
      errors: Number(r.errors),
      connects: Number(r.connects),
      clientSketch: r.client_sketch as Buffer,
      serverSketch: r.server_sketch as Buffer,
    }));
  const readEdgeMinutes = async (q: EdgeMinuteQuery) => toEdgeRows(readEdgeRows(q));
  // One read transaction: both statements see one snapshot (the writer thread commits meanwhile).
  const readGraphHoursAtOnce = db.transaction((q: MinuteWindow) => ({
    edges: mergeEdgeRowsByHour(toEdgeRows(readEdgeRows(q))),
    completeness: (
      db
        .prepare(
          `SELECT (minute / 60) * 60 AS minute, SUM(paired) AS paired, SUM(unpaired_client) AS unpairedClient,
          SUM(unpaired_server) AS unpairedServer, SUM(virtual) AS virtual, SUM(expired) AS expired, SUM(dropped) AS dropped
          FROM graph_stats_minute WHERE minute >= ? AND minute < ? GROUP BY minute / 60 ORDER BY 1`,
        )
        .all(q.fromMinute, q.toMinute) as (CompletenessCounts & { minute: number })[]
    ).map((r) => ({ ...r })),
  }));
  return {
    mergeGraph: (b) => merge(b),
    readEdgeMinutes,
    readEdgeHours: async (q) => mergeEdgeRowsByHour(await readEdgeMinutes(q)),
    readEdgeFacts: async () =>
      (
        db
          .prepare("SELECT source, target, protocol, first_seen_ms, last_seen_ms, detail FROM graph_edges")
          .all() as Record<string, unknown>[]
      ).map((r): GraphEdgeRow => ({
        source: String(r.source),
        target: String(r.target),
        protocol: String(r.protocol),
        firstSeenMs: Number(r.first_seen_ms),
        lastSeenMs: Number(r.last_seen_ms),
        tables: tablesOf(r.detail),
      })),
    readNodes: async (ids) => {
      const out: GraphNodeRow[] = [];
      for (const id of ids) {
        const r = st.nodeById.get(id) as Record<string, unknown> | undefined;
        if (r) out.push(toNode(r));
      }
      return out;
    },
    readServiceNodes: async (fromMs, toMs) =>
      (
        db
          .prepare("SELECT * FROM graph_nodes WHERE kind = 'service' AND last_seen_ms >= ? AND first_seen_ms < ?")
          .all(fromMs, toMs) as Record<string, unknown>[]
      ).map(toNode),
    readGraphHours: async (q) => readGraphHoursAtOnce(q),
    readCompleteness: async (w): Promise<CompletenessCounts> => {
      const r = db
        .prepare(
          `SELECT COALESCE(SUM(paired),0) AS paired, COALESCE(SUM(unpaired_client),0) AS unpairedClient,
          COALESCE(SUM(unpaired_server),0) AS unpairedServer, COALESCE(SUM(virtual),0) AS virtual,
          COALESCE(SUM(expired),0) AS expired, COALESCE(SUM(dropped),0) AS dropped FROM graph_stats_minute WHERE minute >= ? AND minute < ?`,
        )
        .get(w.fromMinute, w.toMinute) as CompletenessCounts;
      return { ...r };
    },
  };
}

function toNode(r: Record<string, unknown>): GraphNodeRow {
  return {
    id: String(r.id),
    kind: String(r.kind),
    name: String(r.name),
    system: (r.system as string | null) ?? null,
    host: (r.host as string | null) ?? null,
    port: r.port === null || r.port === undefined ? null : Number(r.port),
    database: (r.database as string | null) ?? null,
    environment: (r.environment as string | null) ?? null,
    detail: parseJson(r.detail),
    firstSeenMs: Number(r.first_seen_ms),
    lastSeenMs: Number(r.last_seen_ms),
  };
}

function parseJson(text: unknown): Record<string, unknown> {
  if (typeof text !== "string") return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function tablesOf(detail: unknown): string[] {
  const t = parseJson(detail).tables;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === "string") : [];
}

function unionList(a: readonly unknown[], b: readonly unknown[]): string[] {
  const out = a.filter((x): x is string => typeof x === "string");
  for (const v of b) if (typeof v === "string" && !out.includes(v) && out.length < MAX_DETAIL) out.push(v);
  return out;
}

/** Unions two node details: lists unioned (capped), flags or-ed, other values from the newer one. */
export function mergeDetailRecords(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (Array.isArray(v)) {
      if (v.length > 0) out[k] = unionList(Array.isArray(out[k]) ? (out[k] as unknown[]) : [], v);
    } else if (typeof v === "boolean") {
      if (v) out[k] = true;
    } else if (v !== undefined && v !== null && v !== "") out[k] = v;
  }
  return out;
}
