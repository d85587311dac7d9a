import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { openWriterDb, type Db } from "./open";

/**
 * For unit tests: `open()` gives a writer connection on a new SQLite file in its own temp
 * folder; every one is closed and its folder removed after each test.
 */
export function useTempWriterDbs(prefix: string): () => Db {
  const dirs: string[] = [];
  const dbs: Db[] = [];
  afterEach(() => {
    for (const d of dbs.splice(0)) d.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `cartograph-${prefix}-`));
    dirs.push(dir);
    const d = openWriterDb(dir);
    dbs.push(d);
    return d;
  };
}
