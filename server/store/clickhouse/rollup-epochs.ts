import "server-only";
import { randomBytes } from "node:crypto";
import type { RollupJournal } from "../telemetry-store";
import type { Connection } from "./connection";
import { dayOf } from "./sql";

/**
 * The ClickHouse store's rollup journal: RED that survives a writer killed between two flushes,
 * with any number of instances, without transactions.
 *
 * Every writer process has an id of its own (random: a pod that dies never comes back under it)
 * and numbers its flushes: the spans it appends between two flushes belong to one _epoch_ and
 * are stored with it (`spans.writer`, `spans.writer_epoch`). Before the first span of an epoch
 * (and any span outside the epoch's minutes so far) is inserted, a `rollup_epochs` row names
 * the epoch and its minutes. A flush writes its RED rows in one insert into one node's table
 * (atomic: all rows or none) carrying the epochs they cover (`writer`, `first_epoch`,
 * `last_epoch`: a flush after a failed one covers the failed one's epochs too). So "this epoch
 * is counted" is a fact read from red_minute itself, never a second write that could be lost.
 *
 * While epochs wait for their flush the writer heartbeats (a `rollup_epochs` row with epoch 0,
 * stamped by the ClickHouse clock). The elected leader recovers the epochs of a writer silent
 * for long enough that no flush covers: it aggregates their stored spans again into
 * `red_recovered` (red-recovery.ts), and readers count a recovered epoch only while no flush of
 * its writer covers it. A writer that was only paused and flushes after all therefore replaces
 * the recovery instead of adding to it: nothing is counted twice, nothing acknowledged is lost.
 *
 * Why not the alternative of recomputing RED from stored spans for every closed minute (as the
 * pairing passes do for the graph): that reads every span a second time on the leader; here the
 * leader reads spans only of writers that died with unflushed epochs, and the live path stays
 * one append per flush that the `red_hour` view sums.
 */
export interface FlushCover {
  writer: string;
  first: number;
  last: number;
}

export interface EpochJournal extends RollupJournal {
  readonly writer: string;
  /**
   * Records the epoch spans of minutes [minMinute, maxMinute] join (before they are inserted);
   * returns the stamp their rows carry.
   */
  stamp(minMinute: number, maxMinute: number): Promise<{ writer: string; epoch: number }>;
  /** The epochs of the flush in progress (null outside a flush: rows written then cover none). */
  cover(): FlushCover | null;
  /** Called by the RED append once its rows are stored (the flush's epochs are counted). */
  landed(): void;
  close(): void;
}

const HEARTBEAT_MS = 5_000;

export function createEpochJournal(conn: Connection, o: { heartbeatMs?: number } = {}): EpochJournal {
  const writer = randomBytes(8).toString("hex");
  const table = `${conn.settings.database}.rollup_epochs`;
  let epoch = 1;
  /** Oldest epoch no landed flush covers yet. */
  let firstUncovered = 1;
  /** The minutes of the current epoch already recorded, and whether it has spans. */
  let lo = 0;
  let hi = 0;
  let stamped = false;
  let flushing: FlushCover | null = null;
  let rowsLanded = false;
  let timer: NodeJS.Timeout | null = null;

  const insert = (e: number, min: number, max: number) =>
    conn.main.insert({
      table,
      values: [{ day: dayOf(Date.now()), writer, epoch: e, min_minute: min, max_minute: max }],
      columns: ["day", "writer", "epoch", "min_minute", "max_minute"],
      format: "JSONEachRow",
    });

  const waiting = () => stamped || firstUncovered < epoch;
  const heartbeat = () => {
    if (!waiting()) {
      if (timer) clearInterval(timer);
      timer = null;
      return;
    }
    insert(0, 0, 0).catch(() => undefined);
  };

  return {
    writer,
    async stamp(min, max) {
      if (!stamped || min < lo || max > hi) {
        const nlo = stamped ? Math.min(lo, min) : min;
        const nhi = stamped ? Math.max(hi, max) : max;
        await insert(epoch, nlo, nhi);
        lo = nlo;
        hi = nhi;
        stamped = true;
        timer ??= setInterval(heartbeat, o.heartbeatMs ?? HEARTBEAT_MS).unref();
      }
      return { writer, epoch };
    },
    cover: () => flushing,
    landed() {
      rowsLanded = true;
    },
    async flushAtomically(flush) {
      const last = epoch;
      flushing = { writer, first: firstUncovered, last };
      rowsLanded = false;
      try {
        await flush();
      } finally {
        flushing = null;
        epoch = last + 1;
        lo = hi = 0;
        // Spans of the closed epoch with no RED row written (no cells) stay uncovered: the
        // leader finds them once this writer is gone, reads none or few, and records it.
        if (rowsLanded || (!stamped && firstUncovered === last)) firstUncovered = last + 1;
        stamped = false;
      }
    },
    // States of a clean stop matter for the streaming graph only, which this store does not keep.
    takeStates: async () => new Map(),
    // Nothing to replay here: the leader recovers the epochs of writers that are gone.
    readUnaggregated: async () => ({ spans: [], through: 0, more: false }),
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** Marks every call of `appendRed` as belonging to the journal's flush in progress. */
export type FlushCoverSource = Pick<EpochJournal, "cover" | "landed">;
