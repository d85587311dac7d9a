import "server-only";
import { createSketch, decodeSketch, encodeSketch, mergeEncodedInto, mergeSketches } from "../red/sketch";
import type { Db } from "../../store";
import { mergeDetail, type GraphAccumulator } from "./graph-accumulator";
import type { NodeDetail } from "./types";

/**
 * Writes an accumulator into the graph tables. One row per (edge, minute): when a flush touches
 * a minute already stored (a second flush in the same minute, or after a restart) the stored
 * row and the new one are merged (counts added, sketches merged), never overwritten.
 * Runs inside the caller's transaction.
 */
export function writeGraphRollups(db: Db, acc: GraphAccumulator): void {
  const st = statements(db);
  for (const row of acc.edges.values()) {
    const prev = st.getEdgeMinute.get(row.source, row.target, row.protocol, row.minute) as
      | { calls: number; errors: number; connects: number; client_sketch: Buffer; server_sketch: Buffer }
      | undefined;
    let client = row.clientSketch;
    let server = row.serverSketch;
    let calls = row.calls, errors = row.errors, connects = row.connects;
    if (prev) {
      client = createSketch();
      mergeSketches(client, row.clientSketch);
      mergeEncodedInto(client, prev.client_sketch);
      server = createSketch();
      mergeSketches(server, row.serverSketch);
      mergeEncodedInto(server, prev.server_sketch);
      calls += prev.calls;
      errors += prev.errors;
      connects += prev.connects;
    }
    st.putEdgeMinute.run(row.source, row.target, row.protocol, row.minute, calls, errors, connects, encodeSketch(client), encodeSketch(server));
  }
  for (const n of acc.nodes.values()) {
    const prev = st.getNode.get(n.id) as { detail: string; first_seen_ms: number; last_seen_ms: number } | undefined;
    const detail = prev ? mergeDetail(parseDetail(prev.detail), n.detail) : (n.detail ?? {});
    st.putNode.run(
      n.id, n.kind, n.name, n.system ?? null, n.host ?? null, n.port ?? null, n.database ?? null, n.environment ?? null, JSON.stringify(detail),
      prev ? Math.min(prev.first_seen_ms, n.firstSeenMs) : n.firstSeenMs,
      prev ? Math.max(prev.last_seen_ms, n.lastSeenMs) : n.lastSeenMs,
    );
  }
  for (const e of acc.edgeMeta.values()) {
    const prev = st.getEdge.get(e.source, e.target, e.protocol) as { detail: string; first_seen_ms: number; last_seen_ms: number } | undefined;
    const tables = prev ? mergeDetail({ tables: parseDetail(prev.detail).tables ?? [] }, { tables: e.tables }).tables ?? [] : e.tables;
    st.putEdge.run(
      e.source, e.target, e.protocol,
      prev ? Math.min(prev.first_seen_ms, e.firstSeenMs) : e.firstSeenMs,
      prev ? Math.max(prev.last_seen_ms, e.lastSeenMs) : e.lastSeenMs,
      JSON.stringify({ tables }),
    );
  }
  for (const [minute, c] of acc.completeness) {
    st.addStats.run(minute, c.paired, c.unpairedClient, c.unpairedServer, c.virtual, c.expired, c.dropped);
  }
}

/** Retention of the graph rollups (CARTOGRAPH_RETENTION_ROLLUP_HOURS): drops minutes before `minute`. */
export function deleteGraphRollupsBefore(db: Db, minute: number): number {
  const a = db.prepare("DELETE FROM edge_minute WHERE minute < ?").run(minute).changes;
  const b = db.prepare("DELETE FROM graph_stats_minute WHERE minute < ?").run(minute).changes;
  const c = db.prepare("DELETE FROM graph_nodes WHERE last_seen_ms < ?").run(minute * 60_000).changes;
  const d = db.prepare("DELETE FROM graph_edges WHERE last_seen_ms < ?").run(minute * 60_000).changes;
  return a + b + c + d;
}

function parseDetail(text: string): NodeDetail {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === "object" ? (v as NodeDetail) : {};
  } catch {
    return {};
  }
}

/** Exposed for the query side, which decodes the same columns. */
export { decodeSketch };

const cache = new WeakMap<Db, ReturnType<typeof prepare>>();

function statements(db: Db) {
  let st = cache.get(db);
  if (!st) cache.set(db, (st = prepare(db)));
  return st;
}

function prepare(db: Db) {
  return {
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
    getEdge: db.prepare("SELECT detail, first_seen_ms, last_seen_ms FROM graph_edges WHERE source = ? AND target = ? AND protocol = ?"),
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
  };
}
