import "server-only";
import {
  isIpLiteral,
  isLoopbackHost,
  normalizeHost,
  parseUrlHost,
  type Attributes,
  type AttrValue,
  type Semconv,
} from "../../normalize";
import { environmentOfNodeId, withEnvironment } from "../../../lib/node-id";
import type { NodeRef } from "./types";

export { environmentOfNodeId, withEnvironment };

/**
 * Typed node identity (docs/architecture.md, "Service graph"). Identity is what merges; display
 * fields ride along. Pure functions of one span's attributes and its service.
 */

const DEFAULT_PORTS: Record<string, number> = {
  postgresql: 5432,
  postgres: 5432,
  cockroachdb: 26257,
  mysql: 3306,
  mariadb: 3306,
  mssql: 1433,
  "microsoft.sql_server": 1433,
  oracle: 1521,
  "oracle.db": 1521,
  db2: 50000,
  "ibm.db2": 50000,
  mongodb: 27017,
  redis: 6379,
  valkey: 6379,
  memcached: 11211,
  cassandra: 9042,
  scylladb: 9042,
  elasticsearch: 9200,
  opensearch: 9200,
  clickhouse: 8123,
  couchdb: 5984,
  couchbase: 8091,
  neo4j: 7687,
  influxdb: 8086,
  hbase: 16000,
  trino: 8080,
  "aws.dynamodb": 443,
  dynamodb: 443,
};

/** Systems whose client talks to a file or memory in-process: the database belongs to the caller. */
const EMBEDDED = new Set(["sqlite", "h2", "hsqldb", "derby", "duckdb"]);

/** Maps legacy / alternative system names to the value the map shows. */
const SYSTEM_ALIASES: Record<string, string> = {
  postgres: "postgresql",
  "microsoft.sql_server": "mssql",
  "oracle.db": "oracle",
  "ibm.db2": "db2",
  dynamodb: "aws.dynamodb",
};

/**
 * Environments never mix: a service's identity is its name plus its resource's
 * `deployment.environment(.name)`. The key joins both with a unit separator (a character no
 * service name or environment uses); a service without an environment keeps its bare name, so
 * its node id stays `service:<name>` and forms its own group.
 */
const ENV_SEPARATOR = "\u001f";

export function serviceKey(name: string, environment: string | null | undefined): string {
  return environment ? `${name}${ENV_SEPARATOR}${environment}` : name;
}

export function splitServiceKey(key: string): { name: string; environment: string | null } {
  const cut = key.indexOf(ENV_SEPARATOR);
  return cut < 0 ? { name: key, environment: null } : { name: key.slice(0, cut), environment: key.slice(cut + 1) };
}

/** A virtual node seen from a caller in `environment` belongs to that environment. */
export function scopeNode(node: NodeRef, environment: string | null | undefined): NodeRef {
  if (!environment) return node;
  // Nodes without detail are the same for the same id: scoped once (see memo below).
  if (node.detail === undefined || isEmptyDetail(node.detail))
    return memo(scopedNodes, `${environment}\u0000${node.id}`, () => scope(node, environment));
  return scope(node, environment);
}

function scope(node: NodeRef, environment: string): NodeRef {
  return { ...node, id: withEnvironment(node.id, environment), environment };
}

function isEmptyDetail(d: object): boolean {
  for (const _ in d) return false;
  return true;
}

/**
 * Node refs are never mutated (the accumulator copies what it keeps), so the nodes of
 * service keys, callers and user agents are built once per distinct input and shared: the
 * writer asks for them on every span. Each memo is bounded (cleared when full).
 */
const MEMO_MAX = 8192;
function memo<V>(m: Map<string, V>, key: string, make: (k: string) => V): V {
  let v = m.get(key);
  if (v === undefined) {
    if (m.size >= MEMO_MAX) m.clear();
    v = make(key);
    m.set(key, v);
  }
  return v;
}
const serviceNodes = new Map<string, NodeRef>();
const scopedNodes = new Map<string, NodeRef>();

/** The node of a service key (see serviceKey). */
export function serviceNode(key: string): NodeRef {
  return memo(serviceNodes, key, makeServiceNode);
}

function makeServiceNode(key: string): NodeRef {
  const { name, environment } = splitServiceKey(key);
  const node: NodeRef = { id: withEnvironment(`service:${name}`, environment), kind: "service", name };
  if (environment) node.environment = environment;
  return node;
}

function str(v: AttrValue | undefined): string | null {
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  return null;
}

/**
 * Host of the peer: every name-like attribute of both convention generations is a candidate,
 * and a DNS name always beats an IP literal. `network.peer.address` (the socket address) is
 * never used: it changes with every pod restart and would split one database into many.
 */
export function pickPeerHost(attrs: Attributes, sc: Semconv): string | null {
  const candidates: string[] = [];
  for (const k of ["server.address", "net.peer.name", "peer.hostname", "db.connection_string.host"]) {
    const v = str(attrs[k]);
    if (v) candidates.push(normalizeHost(v));
  }
  const url = str(attrs["url.full"]) ?? str(attrs["http.url"]);
  if (url) {
    const p = parseUrlHost(url);
    if (p) candidates.push(p.host);
  }
  if (sc.serverAddress) candidates.push(sc.serverAddress);
  return candidates.find((h) => !isIpLiteral(h)) ?? candidates[0] ?? null;
}

/** Splits `db.namespace` composites: PostgreSQL `db|schema`, SQL Server `instance|db`. */
export function splitNamespace(
  system: string,
  ns: string | null,
): { database: string | null; schema: string | null; instance: string | null } {
  if (ns === null) return { database: null, schema: null, instance: null };
  const parts = ns
    .split("|")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length <= 1) return { database: parts[0] ?? null, schema: null, instance: null };
  // SQL Server's composite puts the instance first; every other system puts the database first.
  if (system === "mssql") return { database: parts[parts.length - 1]!, schema: null, instance: parts[0]! };
  return { database: parts[0]!, schema: parts[1] ?? null, instance: null };
}

function encodeIdPart(s: string): string {
  return s.replace(/[\s/?#]/g, (c) => encodeURIComponent(c));
}

/** A database node: system + host + port (default when absent) + logical database. */
export function databaseNode(sc: Semconv, attrs: Attributes, callerService: string): NodeRef {
  const rawSystem = sc.dbSystem!.toLowerCase();
  const system = SYSTEM_ALIASES[rawSystem] ?? rawSystem;
  const { database, schema, instance } = splitNamespace(system, sc.dbNamespace);
  let host = pickPeerHost(attrs, sc);
  if (host === null && sc.peerService) host = sc.peerService.toLowerCase();
  const port = host === null ? null : (sc.serverPort ?? DEFAULT_PORTS[system] ?? DEFAULT_PORTS[rawSystem] ?? null);
  // Loopback (sidecar proxy), embedded or unknown hosts are private to the caller: two services'
  // "localhost:5432" are two databases.
  const scoped = host === null || isLoopbackHost(host) || EMBEDDED.has(system);
  const hostPart = host === null ? "" : encodeIdPart(host) + (port !== null ? `:${port}` : "");
  let id = `database:${system}://${hostPart}/${database === null ? "" : encodeIdPart(database)}`;
  if (scoped) id += `?via=${encodeIdPart(callerService)}`;
  const detail: NonNullable<NodeRef["detail"]> = {};
  if (schema) detail.schemas = [schema];
  if (instance) detail.instances = [instance];
  if (sc.dbCollection) detail.tables = [sc.dbCollection];
  if (host !== null && isIpLiteral(host)) detail.ipOnly = true;
  if (scoped) detail.via = callerService;
  return {
    id,
    kind: "database",
    // A numeric namespace is a key-value store's index (redis "0"): the host names it better.
    name: database !== null && !/^\d+$/.test(database) ? database : (host ?? database ?? system),
    system,
    host,
    port,
    database,
    detail,
  };
}

export function messagingNode(system: string, destination: string, group: string | null): NodeRef {
  const sys = system.toLowerCase();
  const detail = group ? { consumerGroups: [group] } : {};
  return {
    id: `messaging:${sys}/${encodeIdPart(destination)}`,
    kind: "messaging",
    name: destination,
    system: sys,
    detail,
  };
}

/**
 * An uninstrumented HTTP/gRPC/other peer: peer.service > a host name > rpc service > an IP.
 * Ports are stripped. A loopback peer is scoped to its caller (like a sidecar database).
 */
export function externalNode(sc: Semconv, attrs: Attributes, callerService: string): NodeRef | null {
  if (sc.peerService) return { id: `external:${encodeIdPart(sc.peerService)}`, kind: "external", name: sc.peerService };
  const host = pickPeerHost(attrs, sc);
  if (host !== null && !isIpLiteral(host)) {
    if (isLoopbackHost(host)) {
      return {
        id: `external:${host}?via=${encodeIdPart(callerService)}`,
        kind: "external",
        name: host,
        host,
        detail: { via: callerService },
      };
    }
    return { id: `external:${encodeIdPart(host)}`, kind: "external", name: host, host };
  }
  if (sc.rpcService) return { id: `external:${encodeIdPart(sc.rpcService)}`, kind: "external", name: sc.rpcService };
  if (host !== null) {
    const via = isLoopbackHost(host) ? `?via=${encodeIdPart(callerService)}` : "";
    return { id: `external:${host}${via}`, kind: "external", name: host, host, detail: { ipOnly: true } };
  }
  return null;
}

const UA_FAMILIES: Array<[RegExp, string]> = [
  [/\bk6\//i, "k6"],
  [/\bcurl\//i, "curl"],
  [/\bwget\//i, "wget"],
  [/python-requests|python-urllib|aiohttp|httpx/i, "python"],
  [/Go-http-client/i, "go"],
  [/\bokhttp\b/i, "okhttp"],
  [/Apache-HttpClient|Java\//i, "java"],
  [/\bnode-fetch\b|\bundici\b|\baxios\b|\bnode\b/i, "node"],
  [/grpc-(go|java|node|python|c|dotnet|ruby)/i, "grpc"],
  [/Edg\//, "edge"],
  [/Chrome\//, "chrome"],
  [/Firefox\//, "firefox"],
  [/Safari\//, "safari"],
  [/bot|crawler|spider/i, "bot"],
  [/PostmanRuntime/i, "postman"],
  [/kube-probe/i, "kube-probe"],
];

const uaFamilies = new Map<string, string | null>();

/** The family of a user agent string (browser, tool or library), or null. */
export function userAgentFamily(ua: string): string | null {
  return memo(uaFamilies, ua, matchUserAgent);
}

function matchUserAgent(ua: string): string | null {
  for (const [re, family] of UA_FAMILIES) if (re.test(ua)) return family;
  const token = /^([A-Za-z][A-Za-z0-9._-]{1,40})\//.exec(ua);
  return token ? token[1]!.toLowerCase() : null;
}

/**
 * The caller of a root SERVER/CONSUMER span: the peer's service name when the span carries one
 * (Zipkin's remoteEndpoint on a server span), else user agent family > client address > `user`.
 */
export function callerNode(sc: Semconv): NodeRef {
  const family = sc.userAgent ? userAgentFamily(sc.userAgent) : null;
  const name = sc.peerService ?? family ?? (sc.clientAddress ? normalizeHost(sc.clientAddress) : null) ?? "user";
  return { id: `client:${encodeIdPart(name)}`, kind: "client", name };
}
