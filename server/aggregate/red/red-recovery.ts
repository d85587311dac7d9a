import "server-only";
import type { Span } from "../../normalize";
import { announceLateRollups } from "../../platform/late-rollups";
import type { AbandonedEpochs, RecoveredEpoch, RedMinute, ServiceEntry } from "../../store";
import type { RollupSink } from "../types";
import { createRedAggregator } from "./red-aggregator";

/** What the recovery needs of the ClickHouse store (rollup-epochs.ts there explains the design). */
export interface RedRecoveryStore {
  listAbandonedEpochs(silentS: number): Promise<AbandonedEpochs[]>;
  readEpochSpans(a: AbandonedEpochs): Promise<Map<number, Span[]>>;
  writeRecoveredRed(a: AbandonedEpochs, recovered: readonly RecoveredEpoch[]): Promise<void>;
}

export interface RedRecoveryOptions {
  /** A writer silent this long (heartbeats stopped) is taken for gone. */
  silentS: number;
  nowMs: number;
  /** Folds names past the cardinality limits as the writers do before aggregating; opened only when an epoch is due. */
  folder?: () => Promise<{ fold(spans: readonly Span[]): readonly Span[] }>;
}

/**
 * RED of writers killed between two rollup flushes (leader only): every flush epoch of a writer
 * gone silent that no flush covers is aggregated again from its stored spans, by the same RED
 * aggregator the writers run, and written as recovered rows, which readers count only while no
 * flush of that writer covers the epoch (so a writer that was merely paused and flushes late
 * replaces the recovery instead of adding to it). Returns the epochs recovered.
 */
export async function recoverAbandonedRed(store: RedRecoveryStore, o: RedRecoveryOptions): Promise<number> {
  let recovered = 0;
  let folder: { fold(spans: readonly Span[]): readonly Span[] } | undefined;
  for (const a of await store.listAbandonedEpochs(o.silentS)) {
    if (o.folder) folder ??= await o.folder();
    const byEpoch = await store.readEpochSpans(a);
    const out: RecoveredEpoch[] = [];
    for (const epoch of a.epochs) {
      const spans = byEpoch.get(epoch) ?? [];
      out.push({ epoch, spans: spans.length, ...(await aggregate(folder ? folder.fold(spans) : spans, o.nowMs)) });
    }
    await store.writeRecoveredRed(a, out);
    // Minutes this process's query threads may have cached without them.
    announceLateRollups(a.fromMinute);
    recovered += out.length;
  }
  return recovered;
}

async function aggregate(
  spans: readonly Span[],
  nowMs: number,
): Promise<{ rows: RedMinute[]; services: ServiceEntry[] }> {
  const red = createRedAggregator();
  red.observe(spans, nowMs);
  const got = { rows: [] as RedMinute[], services: [] as ServiceEntry[] };
  const sink = {
    rollups: {
      mergeRed: (rows: readonly RedMinute[], services: readonly ServiceEntry[]) => {
        got.rows.push(...rows);
        got.services.push(...services);
      },
    },
  } as unknown as RollupSink;
  await red.flush(sink, nowMs);
  return got;
}
