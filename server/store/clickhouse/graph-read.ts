import "server-only";
import type {
  CompletenessCounts,
  EdgeMinuteQuery,
  EdgeMinuteRow,
  GraphEdgeRow,
  GraphNodeRow,
  MinuteWindow,
} from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { committedPasses, mergeNodeDetail, parseJson, splitDetails, unionLists, MAX_STEP_MS } from "./graph-io";
import { visibleGraphRows } from "./hour-rollups";
import { sketchFromRow, sketchMergeSql } from "./sketch-columns";
import { sqlInt, sqlString, sqlStringList } from "./sql";

/** Reads of the graph rollups per the GraphStore contract (committed pairing passes only). */
type Row = Record<string, unknown>;

/** Committed passes that may hold rows of minutes [lo, hi). */
function passesOf(db: string, loMinute: number, hiMinute: number): string {
  return committedPasses(db, loMinute * 60_000 - MAX_STEP_MS, hiMinute * 60_000);
}

export async function readEdgeMinutes(conn: Connection, w: EdgeMinuteQuery): Promise<EdgeMinuteRow[]> {
  const db = conn.settings.database;
  const only = `${w.source === undefined ? "" : ` AND source = ${sqlString(w.source)}`}${w.target === undefined ? "" : ` AND target = ${sqlString(w.target)}`}`;
  const rows = await queryRows<Row>(
    conn.main,
    `SELECT source, target, protocol, minute, sum(calls) AS ca, sum(errors) AS er, sum(connects) AS co, ${sketchMergeSql("c")}, ${sketchMergeSql("s")}
      FROM ${db}.edge_minute WHERE minute >= ${sqlInt(w.fromMinute)} AND minute < ${sqlInt(w.toMinute)} AND ${passesOf(db, w.fromMinute, w.toMinute)}${only}
      GROUP BY source, target, protocol, minute ORDER BY minute, source, target, protocol`,
  );
  return rows.map((r) => ({
    source: String(r.source),
    target: String(r.target),
    protocol: String(r.protocol),
    minute: Number(r.minute),
    calls: Number(r.ca),
    errors: Number(r.er),
    connects: Number(r.co),
    clientSketch: sketchFromRow(r, "c"),
    serverSketch: sketchFromRow(r, "s"),
  }));
}

/** Facts of every edge still in retention (all committed passes). */
export async function readEdgeFacts(conn: Connection): Promise<GraphEdgeRow[]> {
  const db = conn.settings.database;
  const rows = await queryRows<Row>(
    conn.main,
    `SELECT source, target, protocol, min(first_seen_ms) AS f, max(last_seen_ms) AS l, groupUniqArray(detail) AS details FROM ${db}.graph_edges
      WHERE ${visibleGraphRows(db)} GROUP BY source, target, protocol`,
  );
  return rows.map((r) => ({
    source: String(r.source),
    target: String(r.target),
    protocol: String(r.protocol),
    firstSeenMs: Number(r.f),
    lastSeenMs: Number(r.l),
    tables: unionLists(splitDetails(r.details).map((d) => parseJson(d).tables)).sort(),
  }));
}

const NODE_SELECT = `SELECT id, any(kind) AS k, any(name) AS nm, max(system) AS sys, max(host) AS h, max(port) AS pt, max(database) AS dbn, max(environment) AS env,
  groupUniqArray(detail) AS details, min(first_seen_ms) AS f, max(last_seen_ms) AS l`;

function toNode(r: Row): GraphNodeRow {
  return {
    id: String(r.id),
    kind: String(r.k),
    name: String(r.nm),
    system: r.sys ? String(r.sys) : null,
    host: r.h ? String(r.h) : null,
    port: Number(r.pt) >= 0 ? Number(r.pt) : null,
    database: r.dbn ? String(r.dbn) : null,
    environment: r.env ? String(r.env) : null,
    detail: mergeNodeDetail(r.details as unknown[]),
    firstSeenMs: Number(r.f),
    lastSeenMs: Number(r.l),
  };
}

export async function readNodes(conn: Connection, ids: readonly string[]): Promise<GraphNodeRow[]> {
  if (ids.length === 0) return [];
  const db = conn.settings.database;
  const rows = await queryRows<Row>(
    conn.main,
    `${NODE_SELECT} FROM ${db}.graph_nodes WHERE id IN ${sqlStringList(ids)}
    AND ${visibleGraphRows(db)} GROUP BY id ORDER BY id`,
  );
  return rows.map(toNode);
}

export async function readServiceNodes(conn: Connection, fromMs: number, toMs: number): Promise<GraphNodeRow[]> {
  const db = conn.settings.database;
  const rows = await queryRows<Row>(
    conn.main,
    `${NODE_SELECT} FROM ${db}.graph_nodes WHERE kind = 'service'
    AND ${visibleGraphRows(db)} GROUP BY id HAVING l >= ${sqlInt(fromMs)} AND f < ${sqlInt(toMs)} ORDER BY id`,
  );
  return rows.map(toNode);
}

export async function readCompleteness(conn: Connection, w: MinuteWindow): Promise<CompletenessCounts> {
  const db = conn.settings.database;
  const [s] = await queryRows<Row>(
    conn.main,
    `SELECT sum(paired) AS p, sum(unpaired_client) AS uc, sum(unpaired_server) AS us, sum(virtual) AS v, sum(expired) AS ex, sum(dropped) AS dr
      FROM ${db}.graph_stats_minute WHERE minute >= ${sqlInt(w.fromMinute)} AND minute < ${sqlInt(w.toMinute)} AND ${passesOf(db, w.fromMinute, w.toMinute)}`,
  );
  return {
    paired: Number(s?.p ?? 0),
    unpairedClient: Number(s?.uc ?? 0),
    unpairedServer: Number(s?.us ?? 0),
    virtual: Number(s?.v ?? 0),
    expired: Number(s?.ex ?? 0),
    dropped: Number(s?.dr ?? 0),
  };
}
