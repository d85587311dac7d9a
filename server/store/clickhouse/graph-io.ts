import "server-only";
import { randomUUID } from "node:crypto";
import { queryRows, type Connection } from "./connection";
import type { GraphPass } from "./graph-types";
import { noteGraphWrite } from "./graph-writes";
import { recordRollupChanges } from "./rollup-changes";
import { sketchFields } from "./sketch-columns";
import { dayOf, sqlInt } from "./sql";

/**
 * Graph rollups written by cluster pairing passes. ClickHouse has no multi-table transaction,
 * so a pass is made atomic for readers instead: its rows carry (pass, attempt) and become
 * visible only once a `graph_passes` row commits that attempt, written last. A pass that died
 * half-way leaves rows no reader counts; a retried or concurrently repeated pass counts once
 * (readers take the greatest committed attempt of each pass). Rows are appended, never updated.
 *
 * A window is passed more than once: early (pairs made so far), finally (unanswered halves
 * settled), and again when spans of its traces are stored after that (late-arrivals.ts). The
 * attempt text orders the runs of one window: final after early, then more spans read after
 * fewer, so the run that saw the most wins whichever leader wrote it last; two runs over the same
 * spans write the same rows. Attempts written before schema version 6 (plain UUIDs) sort first.
 */
export function passAttempt(p: Pick<GraphPass, "final" | "spans">): string {
  return `r${p.final === false ? 0 : 1}${String(p.spans ?? 0).padStart(12, "0")}-${randomUUID()}`;
}

/** An attempt of a rollup merge (minute or hour), later runs sorting after earlier ones. */
export function mergeAttempt(nowMs: number): string {
  return `r${String(Math.max(0, Math.trunc(nowMs))).padStart(13, "0")}-${randomUUID()}`;
}

/** Early passes' attempts (passAttempt): not part of the pairing watermark. */
const FINAL_ONLY = "substring(attempt, 1, 2) != 'r0'";

export async function writeGraphPass(conn: Connection, p: GraphPass, nowMs: number): Promise<void> {
  const db = conn.settings.database;
  const attempt = passAttempt(p);
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
  noteGraphWrite(conn);
  // The window's minutes changed (a new attempt replaces the last one's rows, also where it wrote none).
  const minutes = [...p.edges, ...p.completeness].map((r) => r.minute);
  const from = Math.min(Math.floor(p.pass / 60_000), ...minutes);
  const to = Math.max(Math.ceil((p.endMs ?? p.pass + MAX_STEP_MS) / 60_000), ...minutes.map((m) => m + 1));
  await recordRollupChanges(conn, [{ fromMinute: from, toMinute: to }]);
}

/**
 * End (exclusive, epoch ms) of the last committed final pass window (`early`: of any pass, early
 * ones included), or null before the first.
 */
export async function readPairingWatermark(conn: Connection, stepMs: number, early = false): Promise<number | null> {
  const [r] = await queryRows<{ p: string | number; n: string | number }>(
    conn.main,
    `SELECT max(pass) AS p, count() AS n FROM ${conn.settings.database}.graph_passes${early ? "" : ` WHERE ${FINAL_ONLY}`}`,
  );
  if (!r || Number(r.n) === 0) return null;
  return Number(r.p) + stepMs;
}

/** A filter keeping rows of committed passes, one attempt per pass. Passes of [fromMs, toMs). */
export function committedPasses(db: string, fromMs: number, toMs: number): string {
  return `(pass, attempt) GLOBAL IN (SELECT pass, max(attempt) FROM ${db}.graph_passes WHERE pass >= ${sqlInt(fromMs)} AND pass < ${sqlInt(toMs)} GROUP BY pass)`;
}

/** Longest pass window: rows of minute M come from passes that started at most this long before M. */
export const MAX_STEP_MS = 600_000;

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

/** Detail texts of grouped rows; a compacted row holds several, one per line (hour-rollups.ts). */
export function splitDetails(details: unknown): string[] {
  return Array.isArray(details) ? details.flatMap((d) => String(d).split("\n")) : [];
}

export function mergeNodeDetail(details: unknown[]): Record<string, unknown> {
  const parsed = splitDetails(details).map(parseJson);
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
