import "server-only";
import { statfsSync } from "node:fs";
import path from "node:path";
import type { Span } from "../../normalize";
import type { Db } from "./open";
import { createAppender } from "./append-spans";
import { createLogAppender } from "./logs-append";
import { createResourceIds } from "./resource-ids";
import { describeForOperator, describeForSender, isStorageFailure, readSqliteCode } from "./storage-failure";
import type { AppendBatch, AppendResult, IngestStore } from "../telemetry-store";

/**
 * Raw appends: one transaction per call, one span block per batch (append-spans.ts).
 * Synchronous: the writer acknowledges a request only after this returned (committed).
 * Failures are classified by storage-failure.ts (disk, permissions, I/O: the storage's).
 */
export function createIngestStore(db: Db): IngestStore {
  const resources = createResourceIds(db);
  const appender = createAppender(db, resources);
  const logAppender = createLogAppender(db, resources);
  const write = db.transaction((batches: readonly AppendBatch[], nowMs: number): AppendResult => {
    const inserted: Span[] = [];
    let pointsStored = 0;
    let logsStored = 0;
    for (const b of batches) {
      appender.appendSpans(b.spans, inserted);
      pointsStored += appender.appendMetricPoints(b.points, nowMs);
      if (b.logs.length) logsStored += logAppender.appendLogs(b.logs);
    }
    return { inserted, pointsStored, logsStored };
  });
  return {
    append: (batches, nowMs) => {
      try {
        return write(batches, nowMs);
      } catch (e) {
        // Rolled back: resource ids cached during it may name rows that no longer exist.
        resources.forgetUncommitted();
        throw e;
      }
    },
    classifyFailure: (err) => {
      const code = readSqliteCode(err);
      if (!isStorageFailure(err))
        return {
          kind: "data",
          code: code || "unknown",
          message: `the store cannot take an item: ${(err as Error)?.message ?? String(err)}`,
        };
      return {
        kind: "storage",
        code,
        message: describeForSender(code),
        operatorHint: describeForOperator(code, readFreeBytes(path.dirname(db.name))),
      };
    },
  };
}

function readFreeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}
