import "server-only";
import { randomUUID } from "node:crypto";
import { queryRows, type Connection } from "./connection";
import { dayOf, sqlInt, sqlString } from "./sql";

/**
 * Late windows waiting for their pass (the leader's late scan, late-passes.ts): windows it found
 * but did not pair again in its run (past its pass cap, or their pass failed). They are stored
 * before the scan mark moves past the arrivals that brought them, so a new leader, which starts
 * with nothing in memory, pairs them. No transactions: a `note` row (done = 0) per finding, and
 * once a pass ran after the note was read, a `done` row with the same note. A window waits while
 * one of its notes has no done row, so a note written by a second leader while this one was
 * passing stays until a pass that read it (two leaders racing only pass a window once more).
 */
export interface LateWindow {
  windowMs: number;
  /** The notes a pass of this window settles. */
  notes: string[];
}

export async function readLateWindows(conn: Connection, stepMs: number, fromMs: number): Promise<LateWindow[]> {
  const rows = await queryRows<{ w: string | number; note: string }>(
    conn.main,
    `SELECT window_ms AS w, note FROM ${conn.settings.database}.late_windows
      WHERE step_ms = ${sqlInt(stepMs)} AND window_ms >= ${sqlInt(fromMs)}
      GROUP BY window_ms, note HAVING max(done) = 0 ORDER BY w`,
  );
  const byWindow = new Map<number, string[]>();
  for (const r of rows) {
    const w = Number(r.w);
    byWindow.set(w, [...(byWindow.get(w) ?? []), r.note]);
  }
  return [...byWindow].map(([windowMs, notes]) => ({ windowMs, notes }));
}

/** Stores windows to pair again later (one insert). */
export async function noteLateWindows(conn: Connection, stepMs: number, windows: readonly number[]): Promise<void> {
  if (windows.length === 0) return;
  const note = randomUUID();
  await insertRows(
    conn,
    windows.map((w) => [w, note, 0] as const),
    stepMs,
  );
}

/** Marks the notes of windows paired again since they were read (one insert). */
export async function settleLateWindows(
  conn: Connection,
  stepMs: number,
  windows: readonly LateWindow[],
): Promise<void> {
  const rows = windows.flatMap((w) => w.notes.map((n) => [w.windowMs, n, 1] as const));
  if (rows.length > 0) await insertRows(conn, rows, stepMs);
}

async function insertRows(conn: Connection, rows: ReadonlyArray<readonly [number, string, 0 | 1]>, stepMs: number) {
  const values = rows
    .map(([w, note, done]) => `(${sqlString(dayOf(w))}, ${sqlInt(stepMs)}, ${sqlInt(w)}, ${sqlString(note)}, ${done})`)
    .join(", ");
  await conn.main.command({
    query: `INSERT INTO ${conn.settings.database}.late_windows (day, step_ms, window_ms, note, done) VALUES ${values}`,
  });
}
