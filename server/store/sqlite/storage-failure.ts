import "server-only";

/**
 * How the writer names a failing store. SQLite reports a full disk as SQLITE_FULL only when a
 * write came up short; a write refused outright (ENOSPC at a page boundary, EDQUOT, EFBIG from
 * a file-size limit, EIO) arrives as SQLITE_IOERR_*: both mean the data directory cannot take
 * more data, and neither says anything about the request being written.
 */
export function readSqliteCode(e: unknown): string {
  return String((e as { code?: unknown })?.code ?? "");
}

/** SQLite conditions of the storage, not of the data: disk full, read-only, I/O, locks. */
export function isStorageFailure(e: unknown): boolean {
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|CORRUPT|NOTADB|PROTOCOL)/.test(readSqliteCode(e));
}

/** The message a refused sender reads (503 body). */
export function describeForSender(code: string): string {
  if (code.startsWith("SQLITE_FULL")) return "storage full; retry later";
  if (code.startsWith("SQLITE_READONLY")) return "storage is read-only; retry later";
  return "storage unavailable; retry shortly";
}

/** The operator's log line: what is wrong, where to look, what ingest does meanwhile. */
export function describeForOperator(code: string, freeBytes: number | null): string {
  const free = freeBytes === null ? "" : `; ${formatBytes(freeBytes)} free on its filesystem`;
  if (code.startsWith("SQLITE_FULL")) {
    return `the data directory cannot grow: its disk is full${free}. Ingest answers 503 until space is freed (no restart needed)`;
  }
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CANTOPEN")) {
    return "the data directory is read-only or cannot be opened: ingest answers 503 until it is writable again (no restart needed)";
  }
  if (code.startsWith("SQLITE_IOERR")) {
    return `the data directory cannot grow or be written (disk full, quota, file-size limit or a failing disk${free}). Ingest answers 503 until writes succeed again (no restart needed)`;
  }
  return "ingest answers 503 until the store recovers";
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.round(n / 1024)} KiB`;
}
