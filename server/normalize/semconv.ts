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

function first(a: Attributes, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = str(a[k]);
    if (v !== null) return v;
  }
  return null;
}

function firstNum(a: Attributes, keys: readonly string[]): number | null {
  for (const k of keys) {
    const v = num(a[k]);
    if (v !== null) return v;
  }
  return null;
}

export function readSemconv(a: Attributes): Semconv {
  const url = first(a, ["url.full", "http.url"]);
  let serverAddress = first(a, ["server.address", "net.peer.name", "peer.hostname"]);
  let serverPort = firstNum(a, ["server.port", "net.peer.port", "peer.port"]);
  if (serverAddress === null && url !== null) {
    const parsed = parseUrlHost(url);
    if (parsed) {
      serverAddress = parsed.host;
      serverPort ??= parsed.port;
    }
  }
  const rpcMethodRaw = first(a, ["rpc.method"]);
  let rpcService = first(a, ["rpc.service"]);
  let rpcMethod = rpcMethodRaw;
  if (rpcService === null && rpcMethodRaw !== null && rpcMethodRaw.includes("/")) {
    const slash = rpcMethodRaw.lastIndexOf("/");
    rpcService = rpcMethodRaw.slice(0, slash);
    rpcMethod = rpcMethodRaw.slice(slash + 1);
  }
  return {
    dbSystem: first(a, ["db.system.name", "db.system", "db.type"]),
    dbNamespace: first(a, [
      "db.namespace",
      "db.name",
      "db.redis.database_index",
      "db.mssql.instance_name",
      "db.instance",
    ]),
    dbCollection: first(a, [
      "db.collection.name",
      "db.sql.table",
      "db.mongodb.collection",
      "db.cassandra.table",
      "db.cosmosdb.container",
    ]),
    dbOperation: first(a, ["db.operation.name", "db.operation"]),
    dbQuery: first(a, ["db.query.text", "db.statement", "db.query.summary"]),
    serverAddress: serverAddress === null ? null : normalizeHost(serverAddress),
    serverPort,
    peerService: first(a, ["service.peer.name", "peer.service"]),
    networkPeerAddress: first(a, [
      "network.peer.address",
      "server.socket.address",
      "net.sock.peer.addr",
      "net.peer.ip",
    ]),
    httpMethod: first(a, ["http.request.method", "http.method"]),
    httpStatus: firstNum(a, ["http.response.status_code", "http.status_code"]),
    httpRoute: first(a, ["http.route"]),
    urlFull: url,
    rpcSystem: first(a, ["rpc.system.name", "rpc.system"]),
    rpcService,
    rpcMethod,
    messagingSystem: first(a, ["messaging.system"]),
    messagingDestination: first(a, [
      "messaging.destination.name",
      "messaging.destination",
      "messaging.rabbitmq.destination.routing_key",
    ]),
    messagingOperation: first(a, ["messaging.operation.type", "messaging.operation"]),
    messagingConsumerGroup: first(a, [
      "messaging.consumer.group.name",
      "messaging.kafka.consumer.group",
      "messaging.kafka.consumer_group",
    ]),
    clientAddress: first(a, ["client.address", "http.client_ip"]),
    userAgent: first(a, ["user_agent.original", "http.user_agent"]),
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
