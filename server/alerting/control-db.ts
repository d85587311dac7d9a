import "server-only";
import Database from "better-sqlite3";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../../generated/prisma/client";

/**
 * The control-plane database (Prisma, SQLite `<dataDir>/control.db` by default). Migrations
 * are the SQL files in prisma/migrations (generated with `prisma migrate diff`), applied at
 * start in name order and recorded in `_cartograph_migrations`; a migration that
 * `prisma migrate deploy` already applied is recognised from `_prisma_migrations`.
 */
export type ControlDb = PrismaClient;

export function controlDbPath(dataDir: string): string {
  return path.join(dataDir, "control.db");
}

function migrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, "../../prisma/migrations"), path.resolve(process.cwd(), "prisma/migrations")];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`prisma/migrations not found (looked in ${candidates.join(", ")})`);
  return found;
}

/** Applies pending migrations; returns the names applied now. */
export function migrateControlDb(file: string): string[] {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.exec("CREATE TABLE IF NOT EXISTS _cartograph_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
    const done = new Set((db.prepare("SELECT name FROM _cartograph_migrations").all() as { name: string }[]).map((r) => r.name));
    const hasPrisma = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='_prisma_migrations'").get();
    if (hasPrisma) {
      for (const r of db.prepare("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL").all() as { name: string }[]) {
        done.add(r.name);
      }
    }
    const dir = migrationsDir();
    const applied: string[] = [];
    for (const name of readdirSync(dir).filter((n) => existsSync(path.join(dir, n, "migration.sql"))).sort()) {
      if (done.has(name)) continue;
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      db.transaction(() => {
        db.exec(sql);
        db.prepare("INSERT OR REPLACE INTO _cartograph_migrations (name, applied_at) VALUES (?, ?)").run(name, Date.now());
      })();
      applied.push(name);
    }
    return applied;
  } finally {
    db.close();
  }
}

export function openControlDb(dataDir: string): ControlDb {
  const file = controlDbPath(dataDir);
  migrateControlDb(file);
  const adapter = new PrismaBetterSQLite3({ url: "file:" + file });
  return new PrismaClient({ adapter });
}
