import "server-only";
import { openBootstrapClient, queryRows, type Connection } from "./connection";
import { MIGRATIONS, tableDdl, type AddedColumn } from "./schema";
import { sqlInt, sqlString } from "./sql";

/**
 * Adds a column where it is missing: the local table first, then the Distributed one over it.
 * Two instances migrating at once may both find it missing: the second ALTER's refusal is fine
 * when the column is there afterwards.
 */
async function addColumn(node: Connection["main"], db: string, cluster: string | null, c: AddedColumn): Promise<void> {
  for (const table of cluster ? [`${c.table}_local`, c.table] : [c.table]) {
    const has = async () => {
      const [r] = await queryRows<{ n: string | number }>(
        node,
        `SELECT count() AS n FROM system.columns WHERE database = ${sqlString(db)} AND table = ${sqlString(table)} AND name = ${sqlString(c.column)}`,
      );
      return Number(r?.n ?? 0) > 0;
    };
    if (await has()) continue;
    try {
      await node.command({ query: `ALTER TABLE ${db}.${table} ADD COLUMN ${c.column} ${c.type}` });
    } catch (err) {
      if (!(await has())) throw err;
    }
  }
}

/**
 * Applies the schema at start on every listed node: creates the database, then each migration
 * newer than the node's recorded version. Idempotent (IF NOT EXISTS everywhere), so two
 * instances starting at once, or a start after a crash half-way through, end in the same
 * schema; a version row is written after its statements succeeded. Returns the version reached.
 */
export async function migrateClickHouse(conn: Connection): Promise<number> {
  const s = conn.settings;
  let reached = 0;
  for (let i = 0; i < s.urls.length; i++) {
    const boot = openBootstrapClient(s.urls[i]!, s);
    try {
      await boot.command({ query: `CREATE DATABASE IF NOT EXISTS ${s.database}` });
    } finally {
      await boot.close();
    }
    const node = conn.nodes[i]!;
    await node.command({
      query: `CREATE TABLE IF NOT EXISTS ${s.database}.schema_migrations (version UInt32, description String, applied_ms UInt64) ENGINE = MergeTree() ORDER BY version`,
    });
    const [row] = await queryRows<{ v: string | number }>(
      node,
      `SELECT max(version) AS v FROM ${s.database}.schema_migrations`,
    );
    const current = Number(row?.v ?? 0);
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      for (const t of m.tables)
        for (const ddl of tableDdl(t, s.database, s.cluster)) await node.command({ query: ddl });
      for (const c of m.columns ?? []) await addColumn(node, s.database, s.cluster, c);
      for (const sql of m.after?.(s.database, s.cluster, Date.now()) ?? []) await node.command({ query: sql });
      await node.command({
        query: `INSERT INTO ${s.database}.schema_migrations (version, description, applied_ms) VALUES (${sqlInt(m.version)}, '${m.description.replace(/'/g, "")}', ${sqlInt(Date.now())})`,
      });
    }
    reached = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  }
  return reached;
}
