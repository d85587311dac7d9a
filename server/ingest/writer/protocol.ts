import "server-only";
import type { Encoding } from "../../decode";
import type { HistogramSnapshot } from "../../platform/snapshot-metrics";
import type { CardinalityStats } from "../../aggregate";

/** Messages between the main thread and the writer thread. */
export type Signal = "traces" | "metrics" | "logs";
/** Wire format of a traces body: OTLP, or Zipkin v2 (JSON list / proto3 ListOfSpans). */
export type TraceFormat = "otlp" | "zipkin";

export interface ExportMessage {
  type: "export";
  id: number;
  signal: Signal;
  encoding: Encoding;
  /** Absent means OTLP. */
  format?: TraceFormat;
  body: Uint8Array;
  /** Set when the request is self-traced (sampled): the writer records its spans under it. */
  traceparent?: string;
}

export type ToWriter = ExportMessage | { type: "shutdown" };

export type ExportResult =
  | { ok: true; accepted: number; rejected: number; message: string }
  /** status 400: the request was malformed; 503: a transient store failure (retryable). */
  | { ok: false; status: 400 | 503; message: string };

export type FromWriter =
  | { type: "ready" }
  | { type: "result"; id: number; result: ExportResult }
  | { type: "stats"; stats: WriterStats }
  | { type: "closed" }
  | { type: "fatal"; message: string };

export interface WriterStats {
  spansStored: number;
  spansDuplicate: number;
  spansRejected: number;
  pointsStored: number;
  pointsRejected: number;
  logsStored: number;
  logsDuplicate: number;
  logsRejected: number;
  attributesTruncated: number;
  attributesDropped: number;
  transactions: number;
  /** Cumulative latency of write transactions. */
  writeSeconds: HistogramSnapshot;
  storeBytes: number;
  retentionDeleted: number;
  aggregatorErrors: number;
  /** Items that passed validation but the store refused (rejected alone, partial success). */
  spansUnstorable: number;
  pointsUnstorable: number;
  /** Failed writes by SQLite error code (disk full, read-only, I/O). */
  storeFailures: Record<string, number>;
  aggregators: Record<string, Record<string, unknown>>;
  /** The aggregates' cardinality guard (names folded into "(overflow)"). */
  cardinality: CardinalityStats | null;
}
