import "server-only";
import type { Policy } from "../policy/schema";
import type { CouplingModel } from "../model/build-model";
import { EvidenceAcc } from "../model/build-model";
import { extractDbAccesses, type DbAccess } from "../model/db-access";
import type { Finding } from "../types";
import { listNames, makeFinding } from "./common";
import { displayHost } from "./shared-database";

/** Framework bookkeeping tables are not business data. */
const FRAMEWORK_TABLES = [
  /^flyway_schema_history$/,
  /^databasechangelog(lock)?$/,
  /^schema_migrations$/,
  /^_prisma_migrations$/,
  /^__efmigrationshistory$/,
  /^knex_migrations(_lock)?$/,
  /^shedlock$/,
  /^spring_session/,
  /^qrtz_/,
  /^ar_internal_metadata$/,
  /^django_migrations$/,
  /^alembic_version$/,
  /^pg_/,
  /^information_schema$/,
];
const OUTBOX = /outbox/;

interface TableUse {
  writers: Map<string, { services: Set<string>; spans: number; ddl: boolean }>;
  readers: Map<string, { services: Set<string>; spans: number; ddl: boolean }>;
  ev: EvidenceAcc;
  sample: DbAccess;
}

/**
 * R2 shared tables, per (K_schema, table): two writer owner groups is critical; one
 * writer plus a foreign reader is high (owner = the single writer); read-only reference
 * data shared by several owners is low. Migration jobs, CDC relays and reporting readers
 * are exempt, as are framework tables and reads of outbox tables.
 */
export function detectSharedTables(
  m: CouplingModel,
  policy: Policy,
  _now: number,
  accesses: DbAccess[] = extractDbAccesses(m),
): Finding[] {
  const cfg = policy.rules["shared-table"];
  const ignore = cfg.ignoreTables.map((t) => t.toLowerCase());
  const own = m.ownership;
  const uses = new Map<string, TableUse>();
  for (const a of accesses) {
    if (a.cache) continue;
    const svc = a.span.service;
    const exempt = own.hasRole(svc, "migration", "cdc");
    const reporting = own.hasRole(svc, "reporting");
    for (const t of a.tables) {
      if (FRAMEWORK_TABLES.some((re) => re.test(t.table)) || ignore.includes(t.table)) continue;
      if (exempt) continue;
      if (reporting && !t.write) continue;
      const key = `${a.kSchema}#${t.table}`;
      let u = uses.get(key);
      if (!u) uses.set(key, (u = { writers: new Map(), readers: new Map(), ev: new EvidenceAcc(), sample: a }));
      const owner = own.ownerOf(svc);
      const bucket = t.write ? u.writers : u.readers;
      let b = bucket.get(owner);
      if (!b) bucket.set(owner, (b = { services: new Set(), spans: 0, ddl: false }));
      b.services.add(svc);
      b.spans++;
      if (t.ddl) b.ddl = true;
      u.ev.add(a.span);
    }
  }
  const findings: Finding[] = [];
  for (const [key, u] of uses) {
    const table = key.slice(key.lastIndexOf("#") + 1);
    const writers = [...u.writers].filter(([, b]) => b.spans >= cfg.minSpans);
    const readers = [...u.readers].filter(([o, b]) => b.spans >= cfg.minSpans && !u.writers.has(o));
    const where = `${u.sample.system} ${displayHost(u.sample)}/${u.sample.database ?? ""}${u.sample.schema ? "|" + u.sample.schema : ""}`;
    const base = {
      rule: "shared-table" as const,
      resources: [u.sample.nodeId],
      evidence: u.ev,
      confidence: "high" as const,
    };
    const writerNames = writers.map(([o]) => o).sort();
    const readerNames = readers.map(([o]) => o).sort();
    const extra = {
      table,
      writers: writerNames,
      readers: readerNames,
      database: u.sample.database,
      schema: u.sample.schema,
    };
    if (writers.length >= 2) {
      findings.push(
        makeFinding({
          ...base,
          subject: `${u.sample.nodeId}#${table}`,
          level: "critical",
          title: `${writers.length} services write table ${table}`,
          message: `${listNames(writerNames)} all write ${table} in ${where}. Shared writable tables break ownership: invariants, races and schema changes now span services. Give the table one owner; others change it through that service's API or by publishing events.`,
          services: [...writers, ...readers].flatMap(([, b]) => [...b.services]),
          extra: { ...extra, kind: "shared-write" },
        }),
      );
    } else if (writers.length === 1 && readers.length > 0 && !OUTBOX.test(table)) {
      findings.push(
        makeFinding({
          ...base,
          subject: `${u.sample.nodeId}#${table}`,
          level: "high",
          title: `${listNames(readerNames, 3)} read${readers.length === 1 ? "s" : ""} ${writerNames[0]}'s table ${table}`,
          message: `${table} in ${where} is written only by ${writerNames[0]} but read directly by ${listNames(readerNames)}. A foreign read ties the reader to the owner's physical schema. Read through ${writerNames[0]}'s API, or keep a local copy fed by its events.`,
          services: [...writers, ...readers].flatMap(([, b]) => [...b.services]),
          extra: { ...extra, kind: "foreign-read", owner: writerNames[0] },
        }),
      );
    } else if (writers.length === 0 && readers.length >= 2) {
      findings.push(
        makeFinding({
          ...base,
          subject: `${u.sample.nodeId}#${table}`,
          // The reference says low; without a writer in the window the owner is unknown, so info.
          level: "info",
          title: `${readers.length} services read table ${table}`,
          message: `${listNames(readerNames)} read ${table} in ${where}, and no service wrote it in this window (shared reference data). Give it an owner that publishes it, or accept it with a suppression.`,
          services: readers.flatMap(([, b]) => [...b.services]),
          extra: { ...extra, kind: "shared-read" },
        }),
      );
    }
  }
  return findings;
}
