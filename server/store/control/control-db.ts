import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../../generated/prisma/client";
import { PrismaClient as PgPrismaClient } from "../../../generated/prisma-pg/client";
import { applyMigrations, type MigrationReport } from "./migrate";
import type { ControlDb, ControlDbKind } from "./control-types";

export type { ControlDb, ControlDbKind } from "./control-types";

/**
 * The control-plane database: rules, channels, silences, alert state and outbox, users,
 * tokens, ingest keys, leader leases. Every read and write goes through this Prisma client.
 * SQLite `<dataDir>/control.db` by default; PostgreSQL when CARTOGRAPH_CONTROL_DATABASE_URL is a
 * postgres:// URL (Prisma's driver adapter over `pg`). Both clients are generated from the same
 * models (prisma/schema.prisma and its derived prisma/postgresql/schema.prisma).
 */

export interface ControlDbTarget {
  kind: ControlDbKind;
  /** SQLite: the file; PostgreSQL: the connection URL. */
  url: string;
}

const KIND = new WeakMap<object, ControlDbKind>();

/** Where the control plane lives for these settings (pure). */
export function resolveControlDb(dataDir: string, url: string | undefined): ControlDbTarget {
  if (url && /^postgres(ql)?:\/\//.test(url)) return { kind: "postgresql", url };
  if (url && url.startsWith("file:")) return { kind: "sqlite", url: url.slice("file:".length) };
  return { kind: "sqlite", url: path.join(dataDir, "control.db") };
}

/** The URL without its password, for logs. */
export function describeControlDb(t: ControlDbTarget): string {
  if (t.kind === "sqlite") return `SQLite ${t.url}`;
  try {
    const u = new URL(t.url);
    if (u.password) u.password = "***";
    return `PostgreSQL ${u.toString()}`;
  } catch {
    return "PostgreSQL (unparsable URL)";
  }
}

export function controlDbKind(db: ControlDb): ControlDbKind {
  return KIND.get(db) ?? "sqlite";
}

/** Opens the client without migrating (tools and tests that inspect a database as it is). */
export function connectControlDb(t: ControlDbTarget, opts: { poolMax?: number } = {}): ControlDb {
  let db: ControlDb;
  if (t.kind === "postgresql") {
    // One small pool per process (threads that read little pass a smaller one); the control
    // plane is light (rules, ticks, sign-ins, the policy).
    const max = opts.poolMax ?? 5;
    db = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: t.url, max }) }) as unknown as ControlDb;
  } else {
    mkdirSync(path.dirname(t.url), { recursive: true });
    db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: "file:" + t.url, timeout: 5000 }) });
  }
  KIND.set(db, t.kind);
  return db;
}

/** Opens the control plane and applies its pending Prisma migrations (see migrate.ts). */
export async function openControlDb(t: ControlDbTarget, onMigrated?: (r: MigrationReport) => void): Promise<ControlDb> {
  const db = connectControlDb(t);
  try {
    if (t.kind === "sqlite") await prepareSqlite(db);
    const report = await applyMigrations(db, t.kind);
    onMigrated?.(report);
  } catch (e) {
    await db.$disconnect().catch(() => undefined);
    throw e;
  }
  return db;
}

/** WAL, so reads never wait for a tick's write (the adapter's `timeout` is the busy timeout). */
async function prepareSqlite(db: ControlDb): Promise<void> {
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
}
