import "server-only";
import { openWriterDb, type Db, type Synchronous } from "./open";
import { convertLegacySpans } from "./legacy-spans";

/** The writer's connection: migrations applied and pre-block span rows moved into blocks. */
export function openStoreForWriting(dataDir: string, synchronous: Synchronous = "NORMAL"): Db {
  const db = openWriterDb(dataDir, synchronous);
  convertLegacySpans(db);
  return db;
}
