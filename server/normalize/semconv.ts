import "server-only";
import type { Attributes, AttrValue } from "./types";

/**
 * One reader for both generations of OpenTelemetry semantic conventions. Stable names win
 * when a span carries both (the `dup` opt-in mode emits both). Values are read lazily by the
 * stages that need them (pairing, coupling), so ingest does not pay for it on every span.
 */
export interface Semconv {
  dbSystem: string | null;
  /** db.namespace / db.name (+ legacy redis index, mssql instance); the raw composite value. */
  dbNamespace: string | null;
  dbCollection: string | null;
  dbOperation: string | null;
  dbQuery: string | null;
  serverAddress: string | null;
  serverPort: number | null;
  peerService: string | null;
  networkPeerAddress: string | null;
  httpMethod: string | null;
  httpStatus: number | null;
  httpRoute: string | null;
  urlFull: string | null;
  rpcSystem: string | null;
  rpcService: string | null;
  rpcMethod: string | null;
  messagingSystem: string | null;
  messagingDestination: string | null;
  messagingOperation: string | null;
  messagingConsumerGroup: string | null;
  clientAddress: string | null;
  userAgent: string | null;
}

function str(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return v === "" ? null : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

function num(v: AttrValue | undefined): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/**
 * The attribute names read, per field, in priority order. readSemconv walks a span's
 * attributes once and looks each name up here (one Map probe per attribute) instead of
 * probing the span for every alias (about 50 lookups, most of them misses, on every span
 * the pairing classifies).
 */
const ALIASES = {
  url: ["url.full", "http.url"],
  serverAddress: ["server.address", "net.peer.name", "peer.hostname"],
  serverPort: ["server.port", "net.peer.port", "peer.port"],
  rpcMethod: ["rpc.method"],
  rpcService: ["rpc.service"],
  dbSystem: ["db.system.name", "db.system", "db.type"],
  dbNamespace: ["db.namespace", "db.name", "db.redis.database_index", "db.mssql.instance_name", "db.instance"],
  dbCollection: [
    "db.collection.name",
    "db.sql.table",
    "db.mongodb.collection",
    "db.cassandra.table",
    "db.cosmosdb.container",
  ],
  dbOperation: ["db.operation.name", "db.operation"],
  dbQuery: ["db.query.text", "db.statement", "db.query.summary"],
  peerService: ["service.peer.name", "peer.service"],
  networkPeerAddress: ["network.peer.address", "server.socket.address", "net.sock.peer.addr", "net.peer.ip"],
  httpMethod: ["http.request.method", "http.method"],
  httpStatus: ["http.response.status_code", "http.status_code"],
  httpRoute: ["http.route"],
  rpcSystem: ["rpc.system.name", "rpc.system"],
  messagingSystem: ["messaging.system"],
  messagingDestination: [
    "messaging.destination.name",
    "messaging.destination",
    "messaging.rabbitmq.destination.routing_key",
  ],
  messagingOperation: ["messaging.operation.type", "messaging.operation"],
  messagingConsumerGroup: [
    "messaging.consumer.group.name",
    "messaging.kafka.consumer.group",
    "messaging.kafka.consumer_group",
  ],
  clientAddress: ["client.address", "http.client_ip"],
  userAgent: ["user_agent.original", "http.user_agent"],
} as const;
type Field = keyof typeof ALIASES;

/** Field → number, so the per-field reads index typed arrays instead of keyed objects. */
const F = {} as Record<Field, number>;
/** Attribute name → slot; a field's aliases occupy consecutive slots, highest priority first. */
const SLOT = new Map<string, number>();
const FIELDS = Object.keys(ALIASES) as Field[];
const START = new Int32Array(FIELDS.length);
const COUNT = new Int32Array(FIELDS.length);
let slots = 0;
FIELDS.forEach((f, i) => {
  F[f] = i;
  START[i] = slots;
  COUNT[i] = ALIASES[f].length;
  for (const name of ALIASES[f]) SLOT.set(name, slots++);
});
/** Values found by the current read (reset after each; readSemconv is synchronous). */
const found: (AttrValue | undefined)[] = new Array(slots).fill(undefined);
const touched: number[] = [];

function first(f: number): string | null {
  for (let i = START[f]!, end = i + COUNT[f]!; i < end; i++) {
    const v = str(found[i]);
    if (v !== null) return v;
  }
  return null;
}

function firstNum(f: number): number | null {
  for (let i = START[f]!, end = i + COUNT[f]!; i < end; i++) {
    const v = num(found[i]);
    if (v !== null) return v;
  }
  return null;
}

export function readSemconv(a: Attributes): Semconv {
  for (const k in a) {
    const slot = SLOT.get(k);
    if (slot !== undefined) {
      found[slot] = a[k];
      touched.push(slot);
    }
  }
  try {
    return readFound();
  } finally {
    for (const slot of touched) found[slot] = undefined;
    touched.length = 0;
  }
}

function readFound(): Semconv {
  const url = first(F.url);
  let serverAddress = first(F.serverAddress);
  let serverPort = firstNum(F.serverPort);
  if (serverAddress === null && url !== null) {
    const parsed = parseUrlHost(url);
    if (parsed) {
      serverAddress = parsed.host;
      serverPort ??= parsed.port;
    }
  }
  const rpcMethodRaw = first(F.rpcMethod);
  let rpcService = first(F.rpcService);
  let rpcMethod = rpcMethodRaw;
  if (rpcService === null && rpcMethodRaw !== null && rpcMethodRaw.includes("/")) {
    const slash = rpcMethodRaw.lastIndexOf("/");
    rpcService = rpcMethodRaw.slice(0, slash);
    rpcMethod = rpcMethodRaw.slice(slash + 1);
  }
  return {
    dbSystem: first(F.dbSystem),
    dbNamespace: first(F.dbNamespace),
    dbCollection: first(F.dbCollection),
    dbOperation: first(F.dbOperation),
    dbQuery: first(F.dbQuery),
    serverAddress: serverAddress === null ? null : normalizeHost(serverAddress),
    serverPort,
    peerService: first(F.peerService),
    networkPeerAddress: first(F.networkPeerAddress),
    httpMethod: first(F.httpMethod),
    httpStatus: firstNum(F.httpStatus),
    httpRoute: first(F.httpRoute),
    urlFull: url,
    rpcSystem: first(F.rpcSystem),
    rpcService,
    rpcMethod,
    messagingSystem: first(F.messagingSystem),
    messagingDestination: first(F.messagingDestination),
    messagingOperation: first(F.messagingOperation),
    messagingConsumerGroup: first(F.messagingConsumerGroup),
    clientAddress: first(F.clientAddress),
    userAgent: first(F.userAgent),
  };
}

/** Lower-cases a host name and removes a trailing dot and IPv6 brackets. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h;
}

export function parseUrlHost(url: string): { host: string; port: number | null } | null {
  try {
    const u = new URL(url);
    if (!u.hostname) return null;
    return { host: normalizeHost(u.hostname), port: u.port ? Number(u.port) : null };
  } catch {
    return null;
  }
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|0\.0\.0\.0|::)$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

export function isIpLiteral(host: string): boolean {
  return IPV4.test(host) || (host.includes(":") && /^[0-9a-f:.]+$/i.test(host));
}
