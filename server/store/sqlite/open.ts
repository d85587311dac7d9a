import "server-only";
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS } from "./schema";

export type Db = Database.Database;
export type Synchronous = "OFF" | "NORMAL" | "FULL";

export function telemetryDbPath(dataDir: string): string {
  return path.join(dataDir, "telemetry.db");
}

/**
 * Opens the telemetry database for writing: WAL, the chosen synchronous level, migrations.
 * WAL + synchronous=NORMAL: a commit survives a crash or kill -9 of the process (the WAL is
 * written before the commit returns); only an OS crash or power loss may lose the last commits.
 * FULL adds an fsync per commit for power-loss durability.
 */
export function openWriterDb(dataDir: string, synchronous: Synchronous = "NORMAL"): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(telemetryDbPath(dataDir));
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma("busy_timeout = 5000");
  // 16 MiB of page cache: appends touch the right edges of the tables and indexes, and cost
  // the same per span as with 64 MiB (ingest-stages.ts, 614k spans), which only kept more
  // resident as the file grew.
  db.pragma("cache_size = -16384");
  db.pragma("temp_store = MEMORY");
  migrate(db);
  return db;
}

/** A read connection; WAL lets it read while the writer commits. */
export function openReaderDb(dataDir: string): Db {
  const db = new Database(telemetryDbPath(dataDir), { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  db.pragma("cache_size = -32768");
  return db;
}

export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let i = current; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

export function isMigrated(db: Db): boolean {
  return (db.pragma("user_version", { simple: true }) as number) === MIGRATIONS.length;
}
