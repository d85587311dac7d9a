// Simulated datastores. No database runs: each query is a CLIENT span carrying exactly the
// attributes that the real instrumentations put on it (pg, mysql2, ioredis), in either
// semantic-convention generation, plus a realistic delay.
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import type { ServiceContext } from "./service-context";
import { jitter, sleep } from "./service-context";

export interface Datastore {
  system: "postgresql" | "mysql" | "redis";
  host: string;
  port: number;
  /** logical database (redis: the db index as a string) */
  namespace: string;
  /** "stable": db.system.name / db.namespace / server.* (semconv ≥ 1.30, current JS
   * instrumentations); "legacy": db.system / db.name / net.peer.* / db.statement (older SDKs). */
  generation: "stable" | "legacy";
}

export interface Query {
  /** SQL verb or redis command: SELECT, INSERT, UPDATE, GET, SET, ... */
  operation: string;
  /** table; omitted for redis */
  collection?: string;
  /** parameterised statement, as the instrumentations capture it */
  text: string;
  minMs?: number;
  maxMs?: number;
}

function stableAttributes(db: Datastore, q: Query): Attributes {
  return {
    "db.system.name": db.system,
    "db.namespace": db.namespace,
    "server.address": db.host,
    "server.port": db.port,
    "db.query.text": q.text,
    "db.operation.name": q.operation,
    ...(q.collection ? { "db.collection.name": q.collection } : {}),
  };
}

function legacyAttributes(db: Datastore, q: Query): Attributes {
  return {
    "db.system": db.system,
    "db.name": db.namespace,
    "net.peer.name": db.host,
    "net.peer.port": db.port,
    "db.statement": q.text,
    "db.operation": q.operation,
    "db.user": "app",
    ...(q.collection ? { "db.sql.table": q.collection } : {}),
  };
}

function spanNameOf(db: Datastore, q: Query): string {
  if (!q.collection) return q.operation;
  // semconv ≥ 1.26: "{operation} {collection}"; before: "{operation} {db.name}.{table}"
  return db.generation === "stable"
    ? `${q.operation} ${q.collection}`
    : `${q.operation} ${db.namespace}.${q.collection}`;
}

/** Runs one simulated query as a child of the active span. Never fails: the datastores are
 * healthy in this demo, so nothing but the deliberate incidents looks like a fault. */
export async function runQuery(ctx: ServiceContext, db: Datastore, q: Query): Promise<void> {
  const span = ctx.tracer.startSpan(spanNameOf(db, q), {
    kind: SpanKind.CLIENT,
    attributes: db.generation === "stable" ? stableAttributes(db, q) : legacyAttributes(db, q),
  });
  await context.with(trace.setSpan(context.active(), span), () => sleep(jitter(q.minMs ?? 1, q.maxMs ?? 6)));
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.end();
}

export const CATALOG_DB: Datastore = {
  system: "postgresql",
  host: "catalog-db",
  port: 5432,
  namespace: "catalog",
  generation: "stable",
};
export const USERS_DB: Datastore = {
  system: "postgresql",
  host: "users-db",
  port: 5432,
  namespace: "users",
  generation: "stable",
};
export const INVENTORY_DB: Datastore = {
  system: "mysql",
  host: "inventory-db",
  port: 3306,
  namespace: "inventory",
  generation: "stable",
};
export const PAYMENTS_DB: Datastore = {
  system: "postgresql",
  host: "payments-db",
  port: 5432,
  namespace: "payments",
  generation: "stable",
};
export const CART_CACHE: Datastore = {
  system: "redis",
  host: "cache-redis",
  port: 6379,
  namespace: "0",
  generation: "stable",
};
/** Shared by checkout (stable names) and billing (legacy names): deliberate fault 1. */
export const ORDERS_DB_STABLE: Datastore = {
  system: "postgresql",
  host: "orders-db",
  port: 5432,
  namespace: "orders",
  generation: "stable",
};
export const ORDERS_DB_LEGACY: Datastore = { ...ORDERS_DB_STABLE, generation: "legacy" };
