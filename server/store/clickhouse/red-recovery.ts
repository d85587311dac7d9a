import "server-only";
import { randomUUID } from "node:crypto";
import type { Span } from "../../normalize";
import type { RedMinute, ServiceEntry } from "../telemetry-store";
import { queryRows, type Connection } from "./connection";
import { appendRed, redCellColumns } from "./red-io";
import { sketchFields } from "./sketch-columns";
import { SPAN_COLUMNS, uniqueSpans } from "./span-io";
import type { SpanRow } from "./span-rows";
import { dayOf, sqlInt, sqlString, sqlStringList } from "./sql";

/**
 * The leader's side of rollup-epochs.ts: the flush epochs of writers gone silent that no flush
 * covers, their stored spans, and their RED written again into `red_recovered`.
 */
export interface AbandonedEpochs {
  writer: string;
  /** Epochs no flush of the writer covers and no recovery recorded yet, ascending. */
  epochs: number[];
  /** Minutes their spans started in (from their rollup_epochs rows). */
  fromMinute: number;
  toMinute: number;
}

/** Mark (store_marks) under which a writer's epochs up to the value are settled. */
const DONE = "red_writer_done:";
const LOOKBACK_S = 86_400;

/**
 * Writers silent for `silentS` (by the ClickHouse clock) within the last day, and their epochs
 * neither a flush nor a recovery covers (at most `maxWriters` writers per call). A writer whose
 * epochs are all covered is marked settled up to its last epoch, so later calls skip it.
 */
export async function listAbandonedEpochs(
  conn: Connection,
  silentS: number,
  maxWriters = 20,
): Promise<AbandonedEpochs[]> {
  const db = conn.settings.database;
  const recent = `seen_s >= now() - ${sqlInt(LOOKBACK_S)}`;
  const silent = await queryRows<{ writer: string; e: string | number }>(
    conn.main,
    `SELECT writer, max(epoch) AS e FROM ${db}.rollup_epochs WHERE ${recent}
      GROUP BY writer HAVING max(seen_s) < now() - ${sqlInt(silentS)} AND e > 0`,
  );
  if (silent.length === 0) return [];
  const marks = await queryRows<{ name: string; v: string | number }>(
    conn.main,
    `SELECT name, max(value) AS v FROM ${db}.store_marks WHERE name IN ${sqlStringList(silent.map((w) => DONE + w.writer))} GROUP BY name`,
  );
  const done = new Map(marks.map((m) => [m.name.slice(DONE.length), Number(m.v)]));
  const out: AbandonedEpochs[] = [];
  for (const w of silent) {
    const after = done.get(w.writer) ?? 0;
    if (Number(w.e) <= after) continue;
    if (out.length >= maxWriters) break;
    const [range] = await queryRows<{ lo: string | number; hi: string | number }>(
      conn.main,
      `SELECT min(min_minute) AS lo, max(max_minute) AS hi FROM ${db}.rollup_epochs
        WHERE ${recent} AND writer = ${sqlString(w.writer)} AND epoch > ${sqlInt(after)}`,
    );
    const epochs = await queryRows<{ e: string | number }>(
      conn.main,
      `SELECT DISTINCT epoch AS e FROM ${db}.rollup_epochs WHERE ${recent} AND writer = ${sqlString(w.writer)} AND epoch > ${sqlInt(after)} ORDER BY e`,
    );
    const lo = Number(range?.lo ?? 0);
    const hi = Number(range?.hi ?? 0);
    const covered = await coveredEpochs(conn, w.writer, lo, hi);
    const open = epochs.map((r) => Number(r.e)).filter((e) => !covered.has(e));
    if (open.length === 0) await markSettled(conn, w.writer, Number(w.e));
    else out.push({ writer: w.writer, epochs: open, fromMinute: lo, toMinute: hi + 1 });
  }
  return out;
}

/** Epochs of a writer a stored flush or a recovery covers, within the minutes their spans started in. */
async function coveredEpochs(conn: Connection, writer: string, lo: number, hi: number): Promise<Set<number>> {
  const db = conn.settings.database;
  const where = `minute >= ${sqlInt(lo)} AND minute <= ${sqlInt(hi)} AND writer = ${sqlString(writer)}`;
  const [flushes, recovered] = await Promise.all([
    queryRows<{ a: string | number; b: string | number }>(
      conn.main,
      `SELECT DISTINCT first_epoch AS a, last_epoch AS b FROM ${db}.red_minute WHERE ${where}`,
    ),
    queryRows<{ e: string | number }>(conn.main, `SELECT DISTINCT epoch AS e FROM ${db}.red_recovered WHERE ${where}`),
  ]);
  const covered = new Set(recovered.map((r) => Number(r.e)));
  for (const f of flushes) for (let e = Number(f.a); e <= Number(f.b); e++) covered.add(e);
  return covered;
}

async function markSettled(conn: Connection, writer: string, epoch: number): Promise<void> {
  await conn.main.command({
    query: `INSERT INTO ${conn.settings.database}.store_marks (day, name, value) VALUES (${sqlString(dayOf(Date.now()))}, ${sqlString(DONE + writer)}, ${sqlInt(epoch)})`,
  });
}

/** The stored spans of a writer's epochs, by epoch (duplicates of one span kept once). */
export async function readEpochSpans(conn: Connection, a: AbandonedEpochs): Promise<Map<number, Span[]>> {
  const rows = await queryRows<SpanRow & { writer_epoch: string | number }>(
    conn.main,
    `SELECT ${SPAN_COLUMNS}, writer_epoch FROM ${conn.settings.database}.spans
      WHERE minute >= ${sqlInt(a.fromMinute)} AND minute < ${sqlInt(a.toMinute)} AND writer = ${sqlString(a.writer)}
      AND writer_epoch IN (${a.epochs.map(sqlInt).join(",")})`,
  );
  const out = new Map<number, Span[]>(a.epochs.map((e) => [e, []]));
  const byEpoch = new Map<number, SpanRow[]>();
  for (const r of rows) {
    const e = Number(r.writer_epoch);
    let list = byEpoch.get(e);
    if (!list) byEpoch.set(e, (list = []));
    list.push(r);
  }
  for (const [e, list] of byEpoch) out.set(e, uniqueSpans(list));
  return out;
}

export interface RecoveredEpoch {
  epoch: number;
  spans: number;
  rows: readonly RedMinute[];
  services: readonly ServiceEntry[];
}

/**
 * Writes the RED of recovered epochs in one insert into one node's table (all or nothing), a
 * zero row per epoch included so an epoch without spans is recorded too; then the sightings and
 * the writer's settled mark. Runs of the same epochs by two leaders both land: readers keep one
 * attempt per epoch, the one that read the most spans (the attempt text sorts so).
 */
export async function writeRecoveredRed(
  conn: Connection,
  a: AbandonedEpochs,
  recovered: readonly RecoveredEpoch[],
): Promise<void> {
  const db = conn.settings.database;
  const values: Record<string, unknown>[] = [];
  const run = randomUUID();
  const zero = sketchFields("d", new Uint8Array(0));
  for (const r of recovered) {
    const base = { writer: a.writer, epoch: r.epoch, attempt: `r${String(r.spans).padStart(12, "0")}-${run}` };
    values.push({
      ...base,
      day: dayOf(a.fromMinute * 60_000),
      minute: a.fromMinute,
      service: "",
      environment: "",
      operation: "",
      kind: 0,
      count: 0,
      errors: 0,
      ...zero,
    });
    for (const c of r.rows) values.push({ ...base, ...redCellColumns(c) });
  }
  const node = conn.nodes[Math.floor(Math.random() * conn.nodes.length)]!;
  await node.insert({
    table: `${db}.${conn.settings.cluster ? "red_recovered_local" : "red_recovered"}`,
    format: "JSONEachRow",
    values,
  });
  await appendRed(
    conn,
    [],
    recovered.flatMap((r) => r.services).map((s) => ({ ...s, environment: s.environment ?? "" })),
  );
  await markSettled(conn, a.writer, a.epochs[a.epochs.length - 1]!);
}

/**
 * Whether any epoch was recovered in minutes [fromMinute, toMinute): almost never, and the
 * table's key is the minute, so this costs a round trip, where the filter below would read the
 * writer column of every red_minute row of the window.
 */
export async function anyRecovered(conn: Connection, fromMinute: number, toMinute: number): Promise<boolean> {
  const [r] = await queryRows<{ n: string | number }>(
    conn.main,
    `SELECT count() AS n FROM ${conn.settings.database}.red_recovered WHERE minute >= ${sqlInt(fromMinute)} AND minute < ${sqlInt(toMinute)} AND count > 0`,
  );
  return Number(r?.n ?? 0) > 0;
}

/**
 * A filter on `red_recovered` rows of minutes [fromMinute, toMinute): one attempt per epoch, and
 * only epochs no flush of their writer covers. A flush that lands after the recovery (a writer
 * that was paused, not gone) thereby replaces it. Checking the window's flushes suffices: a
 * flush covering an epoch holds a row in every minute the epoch's spans started in.
 */
export function uncoveredRecovered(db: string, fromMinute: number, toMinute: number): string {
  const minutes = `minute >= ${sqlInt(fromMinute)} AND minute < ${sqlInt(toMinute)}`;
  return `count > 0 AND (writer, epoch, attempt) GLOBAL IN (SELECT writer, epoch, max(attempt) FROM ${db}.red_recovered WHERE ${minutes} GROUP BY writer, epoch)
    AND (writer, epoch) GLOBAL NOT IN (SELECT writer, arrayJoin(arrayMap(i -> first_epoch + i, range(toUInt64(last_epoch - first_epoch + 1))))
      FROM ${db}.red_minute WHERE ${minutes} AND writer GLOBAL IN (SELECT writer FROM ${db}.red_recovered WHERE ${minutes}))`;
}
