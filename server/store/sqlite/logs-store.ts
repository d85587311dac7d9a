import "server-only";
import type { Db } from "./open";
import {
  countLogs,
  countLogsByService,
  countLogsWithin,
  listLogServices,
  readTraceLogs,
  searchLogs,
  type LogCursor,
  type StoredLog as LogRow,
} from "./logs-read";
import type { LogStore, StoredLog } from "../telemetry-store";

/** Page cursor of the SQLite log store: the (time, row id) of the last line served, opaque to callers. */
function encodeCursor(c: LogCursor): string {
  return Buffer.from(`${c.timeNs}.${c.id}`).toString("base64url");
}

function decodeCursor(text: string): LogCursor | null {
  const m = /^(\d{1,20})\.(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  return m ? { timeNs: BigInt(m[1]!), id: Number(m[2]!) } : null;
}

function withoutId(l: LogRow): StoredLog {
  const { id, ...rest } = l;
  void id;
  return rest;
}

export function createLogStore(db: Db): LogStore {
  return {
    searchLogs: async (f, limit, cursor) => {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null) throw new Error("not a log cursor of this store");
      const rows = searchLogs(db, f, limit + 1, after);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        logs: page.map(withoutId),
        nextCursor: rows.length > limit && last ? encodeCursor({ timeNs: last.timeNs, id: last.id }) : null,
      };
    },
    isLogCursor: (cursor) => decodeCursor(cursor) !== null,
    readTraceLogs: async (traceId, limit) => readTraceLogs(db, traceId, limit).map(withoutId),
    countLogs: async (f, stepMs) => countLogs(db, f, stepMs),
    countLogsWithin: async (f, stepMs, rowBudget) => countLogsWithin(db, f, stepMs, rowBudget),
    countLogsByService: async (f) => countLogsByService(db, f),
    listLogServices: async (sinceMs) => listLogServices(db, sinceMs),
  };
}
