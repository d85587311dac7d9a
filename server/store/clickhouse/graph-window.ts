import "server-only";
import type { GraphHours, MinuteWindow } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { MAX_STEP_MS } from "./graph-io";
import { toEdgeRow, wholeHoursOf } from "./hour-rollups";
import { EDGE_COLUMNS, inRanges, planEdgeRead } from "./minute-rollups";
import { sketchMergeSql } from "./sketch-columns";
import { sqlInt } from "./sql";

/**
 * A map window's graph in one statement (GraphStore.readGraphHours): edge rows per hour and the
 * pairing completeness per hour. Pass rows of both (edge_minute, graph_stats_minute) go through
 * one join with one read of the committed passes, so the edges and the completeness counted
 * from pass rows belong to one pass state by construction (two reads, or two IN subqueries,
 * each evaluate graph_passes on their own: a pass committing between them mixed two states).
 * Compacted hours and merged minutes are what the passes held when the leader merged them; a
 * window paired again after that is merged again at once, and that merge leaves a change mark
 * (rollup-changes.ts) that makes readers read it again.
 *
 * A window without a whole hour (a map's edges, its cached 10-minute blocks) decides merged or
 * pass rows per minute inside the statement, so it is one round trip; with whole hours the
 * compacted ones are looked up first (planEdgeRead), as readEdgeHours does.
 */
type Row = Record<string, unknown>;
const STATS = ["paired", "unpaired_client", "unpaired_server", "virtual", "expired", "dropped"];
const ZERO_STATS = STATS.map((c) => `toUInt64(0) AS ${c}`).join(", ");
const ZERO_EDGE = [
  ...["calls", "errors", "connects"].map((c) => `toUInt64(0) AS ${c}`),
  ...["c", "s"].map(
    (p) =>
      `toFloat64(0) AS ${p}_n, toFloat64(0) AS ${p}_zero, toFloat64(0) AS ${p}_sum, toFloat64(0) AS ${p}_min, toFloat64(0) AS ${p}_max, emptyArrayInt32() AS ${p}_keys, emptyArrayFloat64() AS ${p}_counts`,
  ),
].join(", ");
const KEYS =
  "toUInt32(intDiv(minute, 60)) AS hr, source, target, protocol, toUInt32(minute) AS f, toUInt32(minute) AS l";

export async function readGraphHours(conn: Connection, w: MinuteWindow): Promise<GraphHours> {
  const db = conn.settings.database;
  const [wh0, wh1] = wholeHoursOf(w);
  const window = `minute >= ${sqlInt(w.fromMinute)} AND minute < ${sqlInt(w.toMinute)}`;
  const parts: string[] = [];
  let rawEdges: string;
  if (wh0 >= wh1) {
    const mergedMinutes = `SELECT minute FROM ${db}.graph_minutes WHERE ${window}`;
    parts.push(`SELECT ${KEYS}, ${EDGE_COLUMNS}, ${ZERO_STATS} FROM ${db}.edge_merged WHERE ${window}
      AND (minute, attempt) GLOBAL IN (SELECT minute, max(attempt) FROM ${db}.graph_minutes WHERE ${window} GROUP BY minute)`);
    rawEdges = `${window} AND minute GLOBAL NOT IN (${mergedMinutes})`;
  } else {
    const plan = await planEdgeRead(conn, w, wh0, wh1);
    if (plan.hours.length > 0) {
      const hours = `(${plan.hours.map(sqlInt).join(", ")})`;
      parts.push(`SELECT toUInt32(hour) AS hr, source, target, protocol, toUInt32(first_minute) AS f, toUInt32(last_minute) AS l, ${EDGE_COLUMNS}, ${ZERO_STATS}
        FROM ${db}.edge_hour WHERE hour IN ${hours} AND (hour, attempt) GLOBAL IN (SELECT hour, max(attempt) FROM ${db}.graph_hours WHERE hour IN ${hours} GROUP BY hour)`);
    }
    if (plan.merged.length > 0) {
      const range = inRanges(plan.merged);
      parts.push(`SELECT ${KEYS}, ${EDGE_COLUMNS}, ${ZERO_STATS} FROM ${db}.edge_merged WHERE ${range}
        AND (minute, attempt) GLOBAL IN (SELECT minute, max(attempt) FROM ${db}.graph_minutes WHERE ${range} GROUP BY minute)`);
    }
    rawEdges = inRanges(plan.raw);
  }
  // Pass rows of edges and completeness, joined once with the committed attempt of each pass.
  parts.push(`SELECT hr, source, target, protocol, f, l, ${EDGE_COLUMNS}, ${STATS.join(", ")} FROM (
      SELECT pass, attempt AS committed, ${KEYS}, ${EDGE_COLUMNS}, ${ZERO_STATS} FROM ${db}.edge_minute WHERE ${rawEdges}
      UNION ALL SELECT pass, attempt AS committed, toUInt32(intDiv(minute, 60)) AS hr, '' AS source, '' AS target, '' AS protocol,
        toUInt32(minute) AS f, toUInt32(minute) AS l, ${ZERO_EDGE}, ${STATS.join(", ")} FROM ${db}.graph_stats_minute WHERE ${window}
    ) ALL INNER JOIN (
      SELECT pass, max(attempt) AS committed FROM ${db}.graph_passes
      WHERE pass >= ${sqlInt(w.fromMinute * 60_000 - MAX_STEP_MS)} AND pass < ${sqlInt(w.toMinute * 60_000)} GROUP BY pass
    ) USING (pass, committed)`);
  const rows = await queryRows<Row>(
    conn.main,
    `SELECT hr, source, target, protocol, min(f) AS f, max(l) AS l, sum(calls) AS ca, sum(errors) AS er, sum(connects) AS co,
      ${sketchMergeSql("c")}, ${sketchMergeSql("s")}, ${STATS.map((c) => `sum(${c}) AS st_${c}`).join(", ")}
      FROM (${parts.join(" UNION ALL ")}) GROUP BY hr, source, target, protocol`,
  );
  const out: GraphHours = { edges: [], completeness: [] };
  for (const r of rows) {
    if (r.source !== "") {
      out.edges.push(toEdgeRow(r));
      continue;
    }
    out.completeness.push({
      minute: Number(r.hr) * 60,
      paired: Number(r.st_paired),
      unpairedClient: Number(r.st_unpaired_client),
      unpairedServer: Number(r.st_unpaired_server),
      virtual: Number(r.st_virtual),
      expired: Number(r.st_expired),
      dropped: Number(r.st_dropped),
    });
  }
  out.completeness.sort((a, b) => a.minute - b.minute);
  return out;
}
