import "server-only";
import { readSemconv, SpanKind, StatusCode, type Semconv, type Span } from "../../normalize";
import {
  callerNode,
  databaseNode,
  externalNode,
  messagingNode,
  scopeNode,
  serviceKey,
  serviceNode,
} from "./node-identity";
import type { EdgeCall, EdgeProtocol, Half, NodeRef } from "./types";

/**
 * What one span means for the graph (docs/architecture.md, "Service graph"):
 * - `half`: a CLIENT/PRODUCER (keyed by its span id) or non-root SERVER/CONSUMER (keyed by its
 *   parent span id) that waits for its partner;
 * - `call`: a one-sided edge known at once (producer → topic, topic → consumer, caller → root server);
 * - `none`: INTERNAL/UNSPECIFIED spans, which only add their service to the inventory.
 */
export type Classified = { type: "half"; half: Half } | { type: "call"; call: EdgeCall } | { type: "none" };

const NS_PER_MS = 1_000_000n;

export function spanStartMs(s: Span): number {
  return Number(s.startNs / NS_PER_MS);
}

export function spanDurationMs(s: Span): number {
  const d = s.endNs - s.startNs;
  return d > 0n ? Number(d) / 1e6 : 0;
}

export function protocolOf(sc: Semconv): EdgeProtocol {
  if (sc.dbSystem) return "db";
  if (sc.messagingSystem) return "messaging";
  if (sc.rpcSystem && sc.rpcSystem.toLowerCase() === "grpc") return "grpc";
  if (sc.httpMethod || sc.urlFull || sc.httpStatus !== null) return "http";
  return "other";
}

/** Pool connect spans (`pg.connect`, `pg-pool.connect`, `redis-connect`, ...) are connections, not queries. */
export function isConnectSpan(span: Span, sc: Semconv): boolean {
  return sc.dbSystem !== null && /(^|[.\s_-])connect$/i.test(span.name);
}

/** The node an unanswered client span stands for: database, topic or external peer. */
export function calleeOf(span: Span, sc: Semconv): NodeRef | null {
  const caller = span.resource.service;
  const env = span.resource.environment;
  if (sc.dbSystem) return scopeNode(databaseNode(sc, span.attributes, caller), env);
  if (sc.messagingSystem && sc.messagingDestination)
    return scopeNode(messagingNode(sc.messagingSystem, sc.messagingDestination, null), env);
  const ext = externalNode(sc, span.attributes, caller);
  return ext === null ? null : scopeNode(ext, env);
}

/** Service keys by resource object: a request's spans share theirs, so the key is built once. */
const keyOfResource = new WeakMap<Span["resource"], { service: string; environment: string | null; key: string }>();

/** The service key of a span's resource (name plus environment). */
export function spanServiceKey(span: Span): string {
  const r = span.resource;
  const hit = keyOfResource.get(r);
  // The fields are compared too, so an object changed after its first use gets a fresh key.
  if (hit !== undefined && hit.service === r.service && hit.environment === r.environment) return hit.key;
  const key = serviceKey(r.service, r.environment);
  keyOfResource.set(r, { service: r.service, environment: r.environment, key });
  return key;
}

function makeHalf(span: Span, sc: Semconv, role: "client" | "server"): Half {
  return {
    role,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    service: spanServiceKey(span),
    startMs: spanStartMs(span),
    durationMs: spanDurationMs(span),
    error: span.statusCode === StatusCode.ERROR,
    protocol: protocolOf(sc),
    callee: role === "client" ? calleeOf(span, sc) : null,
    connect: role === "client" && isConnectSpan(span, sc),
    caller: null,
    table: role === "client" ? sc.dbCollection : null,
  };
}

export function classifySpan(span: Span): Classified {
  const kind = span.kind;
  if (
    kind !== SpanKind.CLIENT &&
    kind !== SpanKind.PRODUCER &&
    kind !== SpanKind.SERVER &&
    kind !== SpanKind.CONSUMER
  ) {
    return { type: "none" };
  }
  const sc = readSemconv(span.attributes);
  const service = serviceNode(spanServiceKey(span));
  const env = span.resource.environment;
  const hasDestination = sc.messagingSystem !== null && sc.messagingDestination !== null;
  // Call records are written out field by field (no spread of a shared base: this runs per span).
  const timeMs = spanStartMs(span);
  const error = span.statusCode === StatusCode.ERROR;
  // Messaging with a destination is drawn through the topic node at once, so a consumer in a
  // separate trace (or linked only by a span link) still gets topic → consumer.
  if (kind === SpanKind.PRODUCER && hasDestination) {
    const topic = scopeNode(messagingNode(sc.messagingSystem!, sc.messagingDestination!, null), env);
    return {
      type: "call",
      call: {
        timeMs,
        error,
        connect: false,
        table: null,
        source: service,
        target: topic,
        protocol: "messaging",
        connectionType: "messaging_system",
        clientMs: spanDurationMs(span),
        serverMs: null,
        spans: { traceId: span.traceId, caller: span.spanId, client: span.spanId, server: null },
      },
    };
  }
  if (kind === SpanKind.CONSUMER && hasDestination) {
    const topic = scopeNode(
      messagingNode(sc.messagingSystem!, sc.messagingDestination!, sc.messagingConsumerGroup),
      env,
    );
    return {
      type: "call",
      call: {
        timeMs,
        error,
        connect: false,
        table: null,
        source: topic,
        target: service,
        protocol: "messaging",
        connectionType: "messaging_system",
        clientMs: null,
        serverMs: spanDurationMs(span),
        spans: { traceId: span.traceId, caller: null, client: null, server: span.spanId },
      },
    };
  }
  if (kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER) {
    return { type: "half", half: makeHalf(span, sc, "client") };
  }
  // A root server has no client span anywhere: its caller is known now.
  if (span.parentSpanId === null) {
    return {
      type: "call",
      call: {
        timeMs,
        error,
        connect: false,
        table: null,
        source: scopeNode(callerNode(sc), env),
        target: service,
        protocol: protocolOf(sc),
        connectionType: "virtual_node",
        clientMs: null,
        serverMs: spanDurationMs(span),
        spans: { traceId: span.traceId, caller: null, client: null, server: span.spanId },
      },
    };
  }
  return { type: "half", half: makeHalf(span, sc, "server") };
}
