import "server-only";
import type { Connection } from "./connection";

/**
 * When this process last wrote graph rows through a connection (passes, hour compactions): the
 * node catalog (graph-catalog.ts) reuses a just-checked state only when nothing was written
 * through its own connection since; other processes' writes show at its next check.
 */
const lastWrite = new WeakMap<Connection, number>();

export function noteGraphWrite(conn: Connection): void {
  lastWrite.set(conn, performance.now());
}

export function graphWrittenSince(conn: Connection, at: number): boolean {
  return (lastWrite.get(conn) ?? -Infinity) >= at;
}
