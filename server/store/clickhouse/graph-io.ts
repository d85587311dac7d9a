import "server-only";
import { randomUUID } from "node:crypto";
import { queryRows, type Connection } from "./connection";
import type { GraphPass, GraphWindow, StoredNode } from "./graph-types";
import { sketchFields, sketchFromRow, sketchMergeSql } from "./sketch-columns";
import { dayOf, sqlInt } from "./sql";

/**
 * Graph rollups written by cluster pairing passes. ClickHouse has no multi-table transaction,
 * so a pass is made atomic for readers instead: its rows carry (pass, attempt) and become
 * visible only once a `graph_passes` row commits that attempt, written last. A pass that died
 * half-way leaves rows no reader counts; a retried or concurrently repeated pass counts once
 * (readers take the smallest committed attempt of each pass). Rows are appended, never updated.
 */
export async function writeGraphPass(conn: Connection, p: GraphPass, nowMs: number): Promise<void> {
  const db = conn.settings.database;
  const attempt = randomUUID();
  const base = { pass: p.pass, attempt };
  const insert = async (table: string, values: Record<string, unknown>[]) => {
    if (values.length > 0) await conn.main.insert({ table: `${db}.${table}`, values, format: "JSONEachRow" });
  };
  await insert(
    "edge_minute",
    p.edges.map((e) => ({
      ...base,
      day: dayOf(e.minute * 60_000),
      minute: e.minute,
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      calls: e.calls,
      errors: e.errors,
      connects: e.connects,
      ...sketchFields("c", e.clientSketch),
      ...sketchFields("s", e.serverSketch),
    })),
  );
  await insert(
    "graph_nodes",
    p.nodes.map((n) => ({
      ...base,
      day: dayOf(n.lastSeenMs),
      id: n.id,
      kind: n.kind,
      name: n.name,
      system: n.system ?? "",
      host: n.host ?? "",
      port: n.port ?? -1,
      database: n.database ?? "",
      environment: n.environment ?? "",
      detail: JSON.stringify(n.detail ?? {}),
      first_seen_ms: n.firstSeenMs,
      last_seen_ms: n.lastSeenMs,
    })),
  );
  await insert(
    "graph_edges",
    p.edgeMeta.map((e) => ({
      ...base,
      day: dayOf(e.lastSeenMs),
      source: e.source,
      target: e.target,
      protocol: e.protocol,
      first_seen_ms: e.firstSeenMs,
      last_seen_ms: e.lastSeenMs,
      detail: JSON.stringify({ tables: e.tables }),
    })),
  );
  await insert(
    "graph_stats_minute",
    p.completeness.map((c) => ({
      ...base,
      day: dayOf(c.minute * 60_000),
      minute: c.minute,
      paired: c.paired,
      unpaired_client: c.unpairedClient,
      unpaired_server: c.unpairedServer,
      virtual: c.virtual,
      expired: c.expired,
      dropped: c.dropped,
    })),
  );
  await insert("graph_passes", [{ ...base, day: dayOf(p.pass), committed_ms: nowMs }]);
}

/** End (exclusive, epoch ms) of the last committed pass window, or null before the first pass. */
export async function readPairingWatermark(conn: Connection, stepMs: number): Promise<number | null> {
  const [r] = await queryRows<{ p: string | number; n: string | number }>(
    conn.main,
    `SELECT max(pass) AS p, count() AS n FROM ${conn.settings.database}.graph_passes`,
  );
  if (!r || Number(r.n) === 0) return null;
  return Number(r.p) + stepMs;
}

/** A filter keeping rows of committed passes, one attempt per pass. Passes of [fromMs, toMs). */
export function committedPasses(db: string, fromMs: number, toMs: number): string {
  return `(pass, attempt) GLOBAL IN (SELECT pass, min(attempt) FROM ${db}.graph_passes WHERE pass >= ${sqlInt(fromMs)} AND pass < ${sqlInt(toMs)} GROUP BY pass)`;
}

/** Longest pass window: rows of minute M come from passes that started at most this long before M. */
export const MAX_STEP_MS = 600_000;

type Row = Record<string, unknown>;

export function parseJson(text: unknown): Record<string, unknown> {
  try {
    const v = JSON.parse(String(text)) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function unionLists(lists: unknown[], cap = 50): string[] {
  const out: string[] = [];
  for (const l of lists)
    if (Array.isArray(l))
      for (const v of l) if (typeof v === "string" && !out.includes(v) && out.length < cap) out.push(v);
  return out;
}

export function mergeNodeDetail(details: unknown[]): Record<string, unknown> {
  const parsed = details.map(parseJson);
  const out: Record<string, unknown> = {};
  for (const k of ["schemas", "tables", "instances", "consumerGroups"]) {
    const v = unionLists(parsed.map((d) => d[k]));
    if (v.length > 0) out[k] = v.sort();
  }
  if (parsed.some((d) => d.ipOnly)) out.ipOnly = true;
  const via = parsed.find((d) => typeof d.via === "string")?.via;
  if (via) out.via = via;
  return out;
}

/** The graph rollups of minutes [loMinute, hiMinute), merged in SQL (sums, sketch merges). */
export async function readGraphWindow(conn: Connection, loMinute: number, hiMinute: number): Promise<GraphWindow> {
  const db = conn.settings.database;
  const fromMs = loMinute * 60_000,
    toMs = hiMinute * 60_000;
  const inPasses = committedPasses(db, fromMs - MAX_STEP_MS, toMs);
  const minutes = `minute >= ${sqlInt(loMinute)} AND minute < ${sqlInt(hiMinute)}`;
  const [edgeRows, metaRows, nodeRows, statRows] = await Promise.all([
    queryRows<Row>(
      conn.main,
      `SELECT source, target, protocol, sum(calls) AS calls, sum(errors) AS errors, sum(connects) AS connects,
        min(minute) AS lo, max(minute) AS hi, ${sketchMergeSql("c")}, ${sketchMergeSql("s")}
      FROM ${db}.edge_minute WHERE ${minutes} AND ${inPasses} GROUP BY source, target, protocol ORDER BY source, target, protocol`,
    ),
    queryRows<Row>(
      conn.main,
      `SELECT source, target, protocol, groupArray(detail) AS details FROM ${db}.graph_edges
      WHERE last_seen_ms >= ${sqlInt(fromMs)} AND first_seen_ms < ${sqlInt(toMs)} AND ${inPasses} GROUP BY source, target, protocol`,
    ),
    queryRows<Row>(
      conn.main,
      `SELECT id, any(kind) AS k, any(name) AS nm, max(system) AS sys, max(host) AS h, max(port) AS pt,
        max(database) AS dbn, max(environment) AS env, groupArray(detail) AS details, min(first_seen_ms) AS f, max(last_seen_ms) AS l
      FROM ${db}.graph_nodes WHERE last_seen_ms >= ${sqlInt(fromMs)} AND first_seen_ms < ${sqlInt(toMs)} AND ${inPasses} GROUP BY id ORDER BY id`,
    ),
    queryRows<Row>(
      conn.main,
      `SELECT sum(paired) AS paired, sum(unpaired_client) AS uc, sum(unpaired_server) AS us, sum(virtual) AS v,
        sum(expired) AS ex, sum(dropped) AS dr FROM ${db}.graph_stats_minute WHERE ${minutes} AND ${inPasses}`,
    ),
  ]);
  const tables = new Map<string, string[]>();
  for (const m of metaRows) {
    const lists = (m.details as string[]).map((d) => parseJson(d).tables);
    tables.set(`${m.source}\u0000${m.target}\u0000${m.protocol}`, unionLists(lists).sort());
  }
  const s = statRows[0] ?? {};
  return {
    edges: edgeRows.map((r) => ({
      source: String(r.source),
      target: String(r.target),
      protocol: String(r.protocol),
      calls: Number(r.calls),
      errors: Number(r.errors),
      connects: Number(r.connects),
      clientSketch: sketchFromRow(r, "c"),
      serverSketch: sketchFromRow(r, "s"),
      firstSeenMs: Number(r.lo) * 60_000,
      lastSeenMs: Number(r.hi) * 60_000 + 59_999,
      tables: tables.get(`${r.source}\u0000${r.target}\u0000${r.protocol}`) ?? [],
    })),
    nodes: nodeRows.map((r): StoredNode => ({
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
    })),
    completeness: {
      paired: Number(s.paired ?? 0),
      unpairedClient: Number(s.uc ?? 0),
      unpairedServer: Number(s.us ?? 0),
      virtual: Number(s.v ?? 0),
      expired: Number(s.ex ?? 0),
      dropped: Number(s.dr ?? 0),
    },
  };
}
