import "server-only";
import { isLoopbackHost } from "../../normalize";
import { databaseNode } from "../../aggregate/servicegraph";
import { KIND, type ReadSpan } from "../types";
import type { CouplingModel } from "./build-model";
import {
  isDdlOperation,
  isWriteOperation,
  normalizeTable,
  tablesFromSql,
  tablesFromSummary,
  type TableOp,
} from "../../store";

/** One database call with its graded keys (the shared-database rule's input). */
export interface DbAccess {
  span: ReadSpan;
  system: string;
  cache: boolean;
  kServer: string;
  kDb: string;
  kSchema: string;
  /** The map's node id of the logical database (same format as the service map). */
  nodeId: string;
  host: string;
  port: number | null;
  database: string | null;
  schema: string | null;
  hasNamespace: boolean;
  tables: TableOp[];
}

const EMBEDDED = new Set(["sqlite", "h2", "hsqldb", "derby", "duckdb", "realm", "leveldb", "rocksdb"]);
const CACHES = new Set(["redis", "memcached", "valkey", "keydb", "dragonfly", "hazelcast", "ehcache", "caffeine"]);
const ALIASES: Record<string, string> = {
  postgres: "postgresql",
  pg: "postgresql",
  "microsoft.sql_server": "mssql",
  sqlserver: "mssql",
  "oracle.db": "oracle",
  "ibm.db2": "db2",
  mongo: "mongodb",
  dynamodb: "aws.dynamodb",
  mariadb: "mysql",
};
export const DEFAULT_PORTS: Record<string, number> = {
  postgresql: 5432,
  mysql: 3306,
  mssql: 1433,
  oracle: 1521,
  db2: 50000,
  mongodb: 27017,
  redis: 6379,
  valkey: 6379,
  memcached: 11211,
  cassandra: 9042,
  elasticsearch: 9200,
  opensearch: 9200,
  clickhouse: 8123,
};

export function normalizeDbSystem(raw: string): string {
  const s = raw.trim().toLowerCase();
  return ALIASES[s] ?? s;
}

/**
 * Database calls of the window: CLIENT spans (INTERNAL allowed) with a db system, minus
 * embedded/in-memory systems (the database is inside the caller's process). Loopback
 * and unknown hosts are scoped to the caller's host so a sidecar proxy on localhost does
 * not merge every service's database into one.
 */
export function extractDbAccesses(m: CouplingModel): DbAccess[] {
  const out: DbAccess[] = [];
  for (const s of m.spans) {
    if (s.kind !== KIND.CLIENT && s.kind !== KIND.INTERNAL) continue;
    if (!s.sc.dbSystem) continue;
    const system = normalizeDbSystem(s.sc.dbSystem);
    if (EMBEDDED.has(system)) continue;
    if (s.kind === KIND.INTERNAL && s.sc.serverAddress === null) continue;
    let host = s.sc.serverAddress ?? "";
    if (host === "" || isLoopbackHost(host) || host.startsWith("/") || host.endsWith(".sock")) {
      const where =
        str(s.resource.attributes["host.name"]) ??
        str(s.resource.attributes["k8s.pod.name"]) ??
        str(s.resource.attributes["service.instance.id"]) ??
        `svc:${s.service}`;
      host = `${host || "unknown"}@${where}`;
    }
    const port = s.sc.serverPort ?? DEFAULT_PORTS[system] ?? null;
    const ns = s.sc.dbNamespace;
    const parts =
      ns === null
        ? []
        : ns
            .split("|")
            .map((p) => p.trim().toLowerCase())
            .filter(Boolean);
    const database = system === "mssql" ? (parts.length > 0 ? parts.join("|") : null) : (parts[0] ?? null);
    const schema = system === "mssql" ? null : (parts[1] ?? null);
    const kServer = `${system}://${host}:${port ?? ""}`;
    const kDb = `${kServer}/${database ?? ""}`;
    const kSchema = `${kDb}|${schema ?? ""}`;
    // The service map's own node id, so findings point at the node the map draws.
    const nodeId = databaseNode(s.sc, s.attributes, s.service).id;
    out.push({
      span: s,
      system,
      cache: CACHES.has(system),
      kServer,
      kDb,
      kSchema,
      nodeId,
      host,
      port,
      database,
      schema,
      hasNamespace: database !== null,
      tables: tablesOf(s),
    });
  }
  return out;
}

function tablesOf(s: ReadSpan): TableOp[] {
  const a = s.attributes;
  const op = s.sc.dbOperation;
  if (s.sc.dbCollection) {
    const table = normalizeTable(s.sc.dbCollection);
    const query = str(a["db.query.text"]) ?? str(a["db.statement"]);
    const verb = op ?? (query ? query.trim().split(/\s+/)[0]! : null);
    return table ? [{ table, write: isWriteOperation(verb), ddl: isDdlOperation(verb) }] : [];
  }
  const summary = str(a["db.query.summary"]);
  if (summary) {
    const t = tablesFromSummary(summary);
    if (t.length > 0) return t;
  }
  const query = str(a["db.query.text"]) ?? str(a["db.statement"]);
  if (query) return tablesFromSql(query);
  return [];
}

function str(v: unknown): string | null {
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
}
