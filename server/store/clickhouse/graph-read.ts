import "server-only";
import type { CompletenessCounts, EdgeMinuteQuery, EdgeMinuteRow, MinuteWindow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { committedPasses, MAX_STEP_MS } from "./graph-io";
import { edgeMinuteParts, planEdgeRead } from "./minute-rollups";
import { sketchFromRow, sketchMergeSql } from "./sketch-columns";
import { sqlInt, sqlString } from "./sql";

/** Reads of the graph's minute rollups per the GraphStore contract (committed pairing passes only; nodes and edge facts: graph-catalog.ts). */
type Row = Record<string, unknown>;

/** Committed passes that may hold rows of minutes [lo, hi). */
function passesOf(db: string, loMinute: number, hiMinute: number): string {
  return committedPasses(db, loMinute * 60_000 - MAX_STEP_MS, hiMinute * 60_000);
}

export async function readEdgeMinutes(conn: Connection, w: EdgeMinuteQuery): Promise<EdgeMinuteRow[]> {
  const db = conn.settings.database;
  const only = `${w.source === undefined ? "" : ` AND source = ${sqlString(w.source)}`}${w.target === undefined ? "" : ` AND target = ${sqlString(w.target)}`}`;
  const parts = edgeMinuteParts(db, await planEdgeRead(conn, w, 0, 0), only);
  if (parts.length === 0) return [];
  const rows = await queryRows<Row>(
    conn.main,
    `SELECT source, target, protocol, m AS minute, sum(calls) AS ca, sum(errors) AS er, sum(connects) AS co, ${sketchMergeSql("c")}, ${sketchMergeSql("s")}
      FROM (${parts.join(" UNION ALL ")}) GROUP BY source, target, protocol, minute ORDER BY minute, source, target, protocol`,
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
