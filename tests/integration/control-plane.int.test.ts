import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertFence, LeaderElection, LeadershipLostError } from "../../server/control";
import { connectControlDb, openControlDb, resolveControlDb, type ControlDb } from "../../server/store";
import { createLogger } from "../../server/platform/logger";
import { startPostgres, type TestPostgres } from "../helpers/postgres";

const ROOT = path.resolve(import.meta.dirname, "../..");
const log = createLogger("error");
const migrationNames = (dir: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((n) => !n.endsWith(".toml"))
    .sort();
const SQLITE_MIGRATIONS = migrationNames("prisma/migrations");
const PG_MIGRATIONS = migrationNames("prisma/postgresql/migrations");

let postgres: TestPostgres;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "cartograph-control-"));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  postgres = await startPostgres();
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function ledger(db: ControlDb): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT "migration_name" AS name FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

describe("control-plane migrations (Prisma's SQL files, Prisma's ledger)", () => {
  it("SQLite: applies every migration once and records it where `prisma migrate` looks", async () => {
    const dir = tempDir();
    const target = resolveControlDb(dir, undefined);
    let report = { applied: [] as string[], adopted: [] as string[] };
    const db = await openControlDb(target, (r) => (report = r));
    expect(report.applied).toEqual(SQLITE_MIGRATIONS);
    expect(await ledger(db)).toEqual(SQLITE_MIGRATIONS);
    await db.$disconnect();
    const again = await openControlDb(target, (r) => (report = r));
    expect(report.applied).toEqual([]);
    await again.$disconnect();
    // Prisma's own CLI reads the same ledger and checksums: nothing to apply, nothing modified.
    const status = execFileSync("npx", ["prisma", "migrate", "status"], {
      cwd: ROOT,
      env: { ...process.env, CARTOGRAPH_DATA_DIR: dir },
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(status).toContain("Database schema is up to date");
  }, 180_000);

  it("SQLite: upgrades a control database made by the earlier runner without losing a row", async () => {
    const dir = tempDir();
    const file = path.join(dir, "control.db");
    // The earlier releases: migration SQL applied by hand, recorded in _cartograph_migrations.
    const old = new Database(file);
    old.exec("CREATE TABLE _cartograph_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
    const legacy = SQLITE_MIGRATIONS.filter((n) => n < "20261130060000");
    for (const name of legacy) {
      old.exec(readFileSync(path.join(ROOT, "prisma/migrations", name, "migration.sql"), "utf8"));
      old.prepare("INSERT INTO _cartograph_migrations VALUES (?, ?)").run(name, Date.now());
    }
    old
      .prepare(
        `INSERT INTO "AlertRule" ("id","name","enabled","definition","createdAt","updatedAt") VALUES ('r1','kept',1,'{}','2026-11-20T10:00:00.000+00:00','2026-11-20T10:00:00.000+00:00')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO "User" ("id","name","role","passwordHash","createdAt","updatedAt") VALUES ('u1','alice','admin','x','2026-11-20T10:00:00.000+00:00','2026-11-20T10:00:00.000+00:00')`,
      )
      .run();
    old.close();

    let report = { applied: [] as string[], adopted: [] as string[] };
    const db = await openControlDb(resolveControlDb(dir, undefined), (r) => (report = r));
    expect(report.adopted).toEqual(legacy);
    expect(report.applied).toEqual(SQLITE_MIGRATIONS.filter((n) => !legacy.includes(n)));
    expect(await ledger(db)).toEqual(SQLITE_MIGRATIONS);
    const rule = await db.alertRule.findUnique({ where: { id: "r1" } });
    expect(rule?.name).toBe("kept");
    expect(rule?.createdAt.toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect((await db.user.findUnique({ where: { name: "alice" } }))?.role).toBe("admin");
    await db.$disconnect();
  });

  it("PostgreSQL: instances starting together apply each migration exactly once", async () => {
    const url = await postgres.createDatabase("migrate");
    const target = resolveControlDb("unused", url);
    const reports: string[][] = [];
    const dbs = await Promise.all([0, 1, 2].map(() => openControlDb(target, (r) => reports.push(r.applied))));
    expect(reports.flat().sort()).toEqual(PG_MIGRATIONS);
    expect(await ledger(dbs[0]!)).toEqual(PG_MIGRATIONS);
    for (const db of dbs) await db.$disconnect();
  });
});

describe("leader election on a shared PostgreSQL control plane", () => {
  it("elects one leader, hands over on release, and fences a deposed leader's writes", async () => {
    const url = await postgres.createDatabase("leader");
    const target = resolveControlDb("unused", url);
    const [dbA, dbB] = [await openControlDb(target), connectControlDb(target)];
    const started: string[] = [];
    const a = new LeaderElection({ db: dbA, kind: "postgresql", leaseMs: 600, log, holder: "a" });
    const b = new LeaderElection({ db: dbB, kind: "postgresql", leaseMs: 600, log, holder: "b" });
    await a.runAsLeader(
      "job",
      () => void started.push("a"),
      () => void started.push("a-stop"),
    );
    await b.runAsLeader(
      "job",
      () => void started.push("b"),
      () => void started.push("b-stop"),
    );
    await a.start();
    await b.start();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(started).toEqual(["a"]);

    // A deposed leader (its lease ran out and b took it) can no longer commit a fenced write.
    const staleFence = a.fence();
    expect(staleFence).toEqual({ name: "cluster", holder: "a", term: 1 });
    await a.stop();
    await new Promise((r) => setTimeout(r, 700)); // b polls every 200 ms
    expect(b.isLeader()).toBe(true);
    expect(b.status().term).toBe(2);
    expect(started).toEqual(["a", "a-stop", "b"]);
    const write = dbA.$transaction(async (tx) => {
      await assertFence(tx as unknown as ControlDb, staleFence, Date.now());
      await tx.alertRule.create({ data: { id: "from-stale-leader", name: "x", definition: "{}" } });
    });
    await expect(write).rejects.toBeInstanceOf(LeadershipLostError);
    expect(await dbB.alertRule.count()).toBe(0);
    await b.stop();
    await dbA.$disconnect();
    await dbB.$disconnect();
  });

  it("SQLite: the one process leads at once and fences nothing", async () => {
    const db = await openControlDb(resolveControlDb(tempDir(), undefined));
    const e = new LeaderElection({ db, kind: "sqlite", leaseMs: 10_000, log });
    await e.start();
    expect(e.isLeader()).toBe(true);
    expect(e.fence()).toBeNull();
    await e.stop();
    await db.$disconnect();
  });
});
