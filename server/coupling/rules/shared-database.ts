import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { extractDbAccesses, type DbAccess } from "../model/db-access";
import type { Finding, Level } from "../types";
import { listNames, makeFinding } from "./common";

/** Roles that legitimately read across databases (e.g. reporting, backup, migration jobs). */
export const DATA_EXEMPT_ROLES = ["migration", "cdc", "reporting"] as const;

interface OwnerUse {
  services: Set<string>;
  spans: number;
  tables: Set<string>;
  tablesUnknown: boolean;
  withTables: number;
  schemas: Set<string>;
  dbs: Set<string>;
  noNamespace: boolean;
  ev: EvidenceAcc;
}

/**
 * R1 shared database, graded: same server (info), same database with private schemas or
 * known-disjoint tables (low), same schema or unknown tables (medium, "insufficient
 * evidence"). Caches are info. Owners are owner groups; migration/CDC/reporting jobs do
 * not count; an owner needs `minSpans` calls on the key.
 */
export function detectSharedDatabases(
  m: CouplingModel,
  policy: Policy,
  _now: number,
  accesses: DbAccess[] = extractDbAccesses(m),
): Finding[] {
  const min = policy.rules["shared-database"].minSpans;
  const own = m.ownership;
  const byServer = new Map<string, DbAccess[]>();
  for (const a of accesses) {
    if (own.hasRole(a.span.service, ...DATA_EXEMPT_ROLES)) continue;
    let l = byServer.get(a.kServer);
    if (!l) byServer.set(a.kServer, (l = []));
    l.push(a);
  }
  const findings: Finding[] = [];
  for (const [kServer, list] of byServer) {
    const owners = usesByOwner(list, own.ownerOf, (a) => a.kServer);
    const serverOwners = [...owners].filter(([, u]) => u.spans >= min);
    if (serverOwners.length < 2) continue;
    const sample = list[0]!;
    const byDb = new Map<string, DbAccess[]>();
    for (const a of list) {
      let l = byDb.get(a.kDb);
      if (!l) byDb.set(a.kDb, (l = []));
      l.push(a);
    }
    let dbLevelFound = false;
    for (const [, dbList] of byDb) {
      const dbOwners = [...usesByOwner(dbList, own.ownerOf, (a) => a.kDb)].filter(
        ([, u]) => u.spans >= min && !u.noNamespace,
      );
      if (dbOwners.length < 2) continue;
      dbLevelFound = true;
      const first = dbList[0]!;
      const dbName = first.database ?? "(unnamed)";
      const where = `${first.system} ${displayHost(first)}/${dbName}`;
      const services = dbOwners.flatMap(([, u]) => [...u.services]);
      const ev = new EvidenceAcc();
      for (const [, u] of dbOwners) ev.merge(u.ev);
      const ownersNames = dbOwners.map(([o]) => o).sort();
      let level: Level;
      let detail: string;
      let confidence: Finding["confidence"];
      const schemaSets = dbOwners.map(([, u]) => u.schemas);
      const sharedSchema = first.system === "postgresql" ? intersects(schemaSets) : true;
      const tablesKnown = dbOwners.every(([, u]) => !u.tablesUnknown && u.tables.size > 0);
      const overlap = tablesKnown && intersects(dbOwners.map(([, u]) => u.tables));
      if (first.cache) {
        level = "info";
        detail = `they share one ${first.system} cache (database ${dbName}). Usually fine with per-service key prefixes; give each service its own logical database or instance if they must not see each other's keys.`;
        confidence = "low";
      } else if (!sharedSchema) {
        level = "low";
        detail = `each uses its own schema, so the tables are private, but migrations, connection pools and load are coupled. Move each schema to its own database when they need to scale or deploy independently.`;
        confidence = "high";
      } else if (tablesKnown && !overlap) {
        level = "low";
        detail = `the tables they touch are disjoint (private tables per service), but migrations and connection pools are coupled. Keep each table private and consider a database per service.`;
        confidence = "high";
      } else if (overlap) {
        level = "medium";
        detail = `they touch the same tables (see the shared-table findings). Give each table one owning service and let others use its API or events; then split the database.`;
        confidence = "high";
      } else {
        level = "medium";
        detail = `the spans do not name the tables, so shared tables cannot be ruled out (insufficient evidence). Give each service its own database or schema, and have others use the owner's API or events.`;
        confidence = "medium";
      }
      findings.push(
        makeFinding({
          rule: "shared-database",
          subject: first.nodeId,
          level,
          title: `${dbOwners.length} services share database ${dbName}`,
          message: `${listNames(ownersNames)} all use ${where}: ${detail}`,
          services,
          resources: [first.nodeId],
          evidence: ev,
          extra: {
            level: "database",
            owners: ownersNames,
            key: { system: first.system, host: displayHost(first), port: first.port, database: first.database },
          },
          confidence,
        }),
      );
    }
    if (dbLevelFound || sample.cache) continue;
    // Same server, different (or unknown) databases: operational coupling only.
    const ev = new EvidenceAcc();
    for (const [, u] of serverOwners) ev.merge(u.ev);
    const names = serverOwners.map(([o]) => o).sort();
    const unknown = serverOwners.some(([, u]) => u.noNamespace);
    findings.push(
      makeFinding({
        rule: "shared-database",
        subject: `database-server:${kServer}`,
        level: "info",
        title: `${names.length} services share database server ${displayHost(sample)}`,
        message:
          `${listNames(names)} use the same ${sample.system} server ${displayHost(sample)}` +
          (unknown
            ? ` (some spans carry no db.namespace, so whether they share a database is unknown). `
            : ` with separate databases. `) +
          `That is allowed by database-per-service but couples them operationally (noisy neighbours, connection limits, one failure domain); split servers if that matters.`,
        services: serverOwners.flatMap(([, u]) => [...u.services]),
        resources: [...new Set(list.map((a) => a.nodeId))],
        evidence: ev,
        extra: { level: "server", owners: names },
        confidence: "low",
      }),
    );
  }
  return findings;
}

function usesByOwner(
  list: DbAccess[],
  ownerOf: (s: string) => string,
  _key: (a: DbAccess) => string,
): Map<string, OwnerUse> {
  const m = new Map<string, OwnerUse>();
  for (const a of list) {
    const o = ownerOf(a.span.service);
    let u = m.get(o);
    if (!u)
      m.set(
        o,
        (u = {
          services: new Set(),
          spans: 0,
          tables: new Set(),
          tablesUnknown: false,
          withTables: 0,
          schemas: new Set(),
          dbs: new Set(),
          noNamespace: false,
          ev: new EvidenceAcc(),
        }),
      );
    u.services.add(a.span.service);
    u.spans++;
    if (a.tables.length > 0) u.withTables++;
    // Unknown when under 80 % of the owner's calls name a table (BEGIN/COMMIT name none).
    u.tablesUnknown = u.withTables < 0.8 * u.spans;
    for (const t of a.tables) u.tables.add(t.table);
    u.schemas.add(a.schema ?? "");
    u.dbs.add(a.kDb);
    if (!a.hasNamespace) u.noNamespace = true;
    u.ev.add(a.span);
  }
  return m;
}

/** True when some element is in at least two of the sets. */
function intersects(sets: ReadonlyArray<ReadonlySet<string>>): boolean {
  const seen = new Set<string>();
  for (const s of sets) {
    for (const x of s) if (seen.has(x)) return true;
    for (const x of s) seen.add(x);
  }
  return false;
}

export function displayHost(a: DbAccess): string {
  return `${a.host}${a.port !== null ? `:${a.port}` : ""}`;
}
