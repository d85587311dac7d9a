import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { findProjectRoot } from "../../platform/module-paths";
import type { ControlDb, ControlDbKind } from "./control-types";

/**
 * Applies the SQL migrations that `prisma migrate diff` generated (prisma/migrations for
 * SQLite, prisma/postgresql/migrations for PostgreSQL) through the Prisma client at start, and
 * records them in Prisma's own `_prisma_migrations` table with Prisma's checksum (SHA-256 of
 * the file): `prisma migrate status` / `migrate deploy` agree with what the server applied,
 * and a user may run either. The server applies them itself because Prisma's CLI cannot
 * migrate PostgreSQL offline (its wasm schema engine fails there) and needs no CLI at run time.
 *
 * Several processes starting at once on one PostgreSQL take turns on an advisory lock (the
 * key `prisma migrate` uses), each migration runs in its own transaction (PostgreSQL DDL is
 * transactional), so a failed migration leaves nothing half-applied. SQLite control databases
 * of earlier versions (recorded in `_cartograph_migrations`) are carried over as applied.
 */
export interface MigrationReport {
  applied: string[];
  /** Migrations found recorded by the earlier home-made runner and adopted. */
  adopted: string[];
}

/** The key `prisma migrate` locks with on PostgreSQL; sharing it keeps the CLI and the server apart. */
const PRISMA_ADVISORY_LOCK = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function migrationsDir(kind: ControlDbKind): string {
  const rel = kind === "postgresql" ? ["prisma", "postgresql", "migrations"] : ["prisma", "migrations"];
  const candidates = [path.join(findProjectRoot(), ...rel), path.resolve(process.cwd(), ...rel)];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`control-plane migrations not found (looked in ${candidates.join(", ")})`);
  return found;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, "migration.sql")))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/** Statements of a generated migration file: `prisma migrate diff` ends each with `;` at a line end. */
export function splitStatements(sql: string): string[] {
  const body = sql
    .split("\n")
    .filter((l) => !/^\s*--/.test(l))
    .join("\n");
  return body
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const LEDGER: Record<ControlDbKind, string> = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL,
    "logs" TEXT, "rolled_back_at" DATETIME, "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`,
  postgresql: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ, "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`,
};

export async function applyMigrations(
  db: ControlDb,
  kind: ControlDbKind,
  dir = migrationsDir(kind),
): Promise<MigrationReport> {
  const migrations = readMigrations(dir);
  if (kind === "postgresql") {
    // A session lock needs one connection for the whole run: hold it inside a transaction.
    return db.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${PRISMA_ADVISORY_LOCK})`);
        return applyPending(tx as unknown as ControlDb, kind, migrations);
      },
      { timeout: 120_000, maxWait: 120_000 },
    );
  }
  return applyPending(db, kind, migrations);
}

type Tx = Pick<ControlDb, "$executeRawUnsafe" | "$queryRawUnsafe">;

async function applyPending(
  db: ControlDb | Tx,
  kind: ControlDbKind,
  migrations: Migration[],
): Promise<MigrationReport> {
  await db.$executeRawUnsafe(LEDGER[kind]);
  const adopted = kind === "sqlite" ? await adoptLegacyLedger(db, migrations) : [];
  const rows = await db.$queryRawUnsafe<{ name: string; checksum: string }[]>(
    `SELECT "migration_name" AS name, "checksum" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`,
  );
  const done = new Map(rows.map((r) => [r.name, r.checksum]));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    const statements = splitStatements(m.sql);
    const run = async (t: Tx) => {
      for (const s of statements) await t.$executeRawUnsafe(s);
      await t.$executeRawUnsafe(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "finished_at", "applied_steps_count") VALUES (${params(kind, 3)}, ${nowSql(kind)}, ${nowSql(kind)}, 1)`,
        randomUUID(),
        m.checksum,
        m.name,
      );
    };
    // On PostgreSQL the caller's transaction already wraps the run; SQLite gets one per file.
    if ("$transaction" in db) await db.$transaction(async (tx) => run(tx));
    else await run(db);
    applied.push(m.name);
  }
  return { applied, adopted };
}

const nowSql = (kind: ControlDbKind) => (kind === "postgresql" ? "now()" : "current_timestamp");
/** Positional placeholders: `$1, $2` on PostgreSQL, `?, ?` on SQLite. */
const params = (kind: ControlDbKind, n: number) =>
  Array.from({ length: n }, (_, i) => (kind === "postgresql" ? `$${i + 1}` : "?")).join(", ");

/**
 * Control databases made before the Prisma ledger recorded their migrations in
 * `_cartograph_migrations` (name, applied_at): those names go into `_prisma_migrations` as
 * applied, so nothing is run twice and no row is touched.
 */
async function adoptLegacyLedger(db: Tx, migrations: Migration[]): Promise<string[]> {
  const legacy = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_cartograph_migrations'`,
  );
  if (!Number(legacy[0]?.n)) return [];
  const names = (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM _cartograph_migrations`)).map(
    (r) => r.name,
  );
  const recorded = new Set(
    (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT "migration_name" AS name FROM "_prisma_migrations"`)).map(
      (r) => r.name,
    ),
  );
  const adopted: string[] = [];
  for (const m of migrations) {
    if (!names.includes(m.name) || recorded.has(m.name)) continue;
    await db.$executeRawUnsafe(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "finished_at", "applied_steps_count") VALUES (?, ?, ?, 'adopted from _cartograph_migrations', current_timestamp, 1)`,
      randomUUID(),
      m.checksum,
      m.name,
    );
    adopted.push(m.name);
  }
  await db.$executeRawUnsafe(`DROP TABLE _cartograph_migrations`);
  return adopted;
}
