import "server-only";
import type { ZipkinSpan } from "../decode";
import type { Attributes } from "./types";

/**
 * Zipkin tags and endpoints → span attributes in the names the rest of the pipeline reads
 * (semconv.ts), so Zipkin traffic gets the same typed nodes as OTLP. Every tag is kept as
 * sent; derived attributes are only added where the tag does not already say it.
 *
 * - remoteEndpoint.serviceName → `peer.service` (the peer's name: an uninstrumented memcache,
 *   database or broker becomes a node); its port → `server.port`; its IP → the socket address,
 *   and `server.address` only when no name is known (an IP-only node, flagged as such). On a
 *   SERVER/CONSUMER span the remote endpoint is the caller: IP → `client.address`.
 * - messaging (Brave's kafka, spring-rabbit, JMS): PRODUCER/CONSUMER spans get
 *   `messaging.system` (the broker's name) and `messaging.destination.name` (topic, queue,
 *   else the broker itself, which is the node Zipkin's own linker draws).
 * - `sql.query` → `db.query.text`; a known database as the remote name → `db.system`.
 */

const DB_SYSTEMS: Record<string, string> = {
  mysql: "mysql",
  mariadb: "mariadb",
  postgres: "postgresql",
  postgresql: "postgresql",
  redis: "redis",
  memcache: "memcached",
  memcached: "memcached",
  mongodb: "mongodb",
  mongo: "mongodb",
  cassandra: "cassandra",
  elasticsearch: "elasticsearch",
  oracle: "oracle",
  mssql: "mssql",
  sqlserver: "mssql",
  h2: "h2",
  sqlite: "sqlite",
  couchbase: "couchbase",
  dynamodb: "aws.dynamodb",
  clickhouse: "clickhouse",
};

const BROKERS: Record<string, string> = {
  kafka: "kafka",
  rabbitmq: "rabbitmq",
  rabbit: "rabbitmq",
  amqp: "rabbitmq",
  jms: "jms",
  activemq: "activemq",
  artemis: "activemq",
  nats: "nats",
  pulsar: "pulsar",
  sqs: "aws_sqs",
  sns: "aws_sns",
  rocketmq: "rocketmq",
  kinesis: "aws_kinesis",
};

function brokerFromTags(tags: Record<string, string>): string | null {
  for (const k of Object.keys(tags)) {
    if (k.startsWith("kafka.")) return "kafka";
    if (k.startsWith("rabbit.") || k.startsWith("rabbitmq.")) return "rabbitmq";
    if (k.startsWith("jms.")) return "jms";
  }
  return null;
}

function destinationFromTags(t: Record<string, string>): string | null {
  return (
    t["messaging.destination.name"] ||
    t["messaging.destination"] ||
    t["kafka.topic"] ||
    t["rabbit.queue"] ||
    t["rabbit.routing_key"] ||
    t["rabbit.exchange"] ||
    t["jms.queue"] ||
    t["jms.topic"] ||
    t["topic"] ||
    t["queue"] ||
    null
  );
}

/** The lower-cased first word of a remote service name (`mysql-users` → `mysql`). */
function stem(name: string): string {
  return name.toLowerCase().split(/[^a-z0-9]+/)[0] ?? "";
}

export function mapZipkinAttributes(z: ZipkinSpan): Attributes {
  const a: Attributes = { ...z.tags };
  const set = (k: string, v: string | number | boolean | null | undefined) => {
    if (v !== null && v !== undefined && v !== "" && a[k] === undefined) a[k] = v;
  };
  const isServer = z.kind === "SERVER" || z.kind === "CONSUMER";
  const remote = z.remoteEndpoint;
  const remoteName = remote?.serviceName ?? null;
  const remoteIp = remote?.ipv4 ?? remote?.ipv6 ?? null;
  if (remote) {
    set("peer.service", remoteName);
    set("network.peer.address", remoteIp);
    set("network.peer.port", remote.port);
    if (isServer) set("client.address", remoteIp);
    else {
      set("server.port", remote.port);
      if (!remoteName) set("server.address", remoteIp);
    }
  }
  const local = z.localEndpoint;
  if (local) {
    set("network.local.address", local.ipv4 ?? local.ipv6);
    set("network.local.port", local.port);
  }
  if (z.tags["sql.query"]) set("db.query.text", z.tags["sql.query"]);
  if (z.tags["grpc.status_code"] !== undefined || z.tags["grpc.path"] !== undefined) set("rpc.system", "grpc");
  if (z.kind === "PRODUCER" || z.kind === "CONSUMER") {
    const system =
      brokerFromTags(z.tags) ?? (remoteName ? (BROKERS[stem(remoteName)] ?? remoteName.toLowerCase()) : null);
    const destination = destinationFromTags(z.tags) ?? remoteName;
    if (system && destination) {
      set("messaging.system", system);
      set("messaging.destination.name", destination);
    }
  } else if (!isServer && a["db.system"] === undefined && a["db.system.name"] === undefined) {
    const known = remoteName ? DB_SYSTEMS[stem(remoteName)] : undefined;
    if (known) set("db.system", known);
    else if (z.tags["sql.query"]) set("db.system", "other_sql");
  }
  if (z.debug) a["zipkin.debug"] = true;
  return a;
}
