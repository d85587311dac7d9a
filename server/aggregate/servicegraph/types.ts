import "server-only";

/** Node kinds and edge protocols of the map, as the API names them. */
export type { NodeKind, EdgeProtocol } from "../../../lib/enums";
import type { NodeKind, EdgeProtocol } from "../../../lib/enums";
/** Tempo / OTel connector `connection_type` label values ("" = direct service→service call). */
export type ConnectionType = "" | "virtual_node" | "database" | "messaging_system";

/**
 * A typed node. `id` is the identity (what merges); the other fields are display and detail.
 * Ids: `service:<name>`, `database:<system>://<host>:<port>/<db>[?via=<caller>]`,
 * `messaging:<system>/<destination>`, `external:<host|peer>`, `client:<family|address|user>`,
 * each followed by `?env=<environment>` (or `&env=`) when the span's resource names one.
 */
export interface NodeRef {
  id: string;
  kind: NodeKind;
  name: string;
  system?: string | null;
  host?: string | null;
  port?: number | null;
  database?: string | null;
  /** deployment.environment(.name) of the services this node belongs to (absent: none). */
  environment?: string | null;
  /** Finer levels kept for coupling rules (schema, table, instance, consumer group). */
  detail?: NodeDetail;
}

export interface NodeDetail {
  schemas?: string[];
  tables?: string[];
  instances?: string[];
  consumerGroups?: string[];
  /** The host is an IP literal (no name was available). */
  ipOnly?: boolean;
  /** A loopback / sidecar address scoped to this calling service. */
  via?: string;
}

/**
 * One half waiting for its partner, reduced to what pairing needs (a few hundred bytes),
 * so the bounded store never holds whole spans.
 */
export interface Half {
  role: "client" | "server";
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  /** The service key: name plus environment (node-identity.ts serviceKey). */
  service: string;
  startMs: number;
  durationMs: number;
  error: boolean;
  protocol: EdgeProtocol;
  /** Client half: the typed node to draw when no server answers (null: nothing usable). */
  callee: NodeRef | null;
  /** Client half: a pool connect span, counted as a connection, not a call. */
  connect: boolean;
  /** Server half: the caller node to draw when this root span has no client. */
  caller: NodeRef | null;
  /** Client half: table / operation seen on this call, for edge detail. */
  table: string | null;
}

/** A half still waiting for its partner, as saved at a clean stop and restored at the next start. */
export interface WaitingHalf {
  half: Half;
  /** Epoch ms it entered the pairing store (its wait runs from there, across the restart). */
  insertedMs: number;
  /** Already drawn (a database / queue client): a later server half only merges its latency. */
  drawn: boolean;
}

/** One call on one edge, produced by pairing or by a one-sided rule. */
export interface EdgeCall {
  source: NodeRef;
  target: NodeRef;
  protocol: EdgeProtocol;
  connectionType: ConnectionType;
  /** Epoch ms the call started (client start when known). */
  timeMs: number;
  error: boolean;
  clientMs: number | null;
  serverMs: number | null;
  /** A connection (pool connect) rather than a request: counted in `connects`, not `calls`. */
  connect: boolean;
  table: string | null;
  /** Server-side latency for a call already counted on this edge (a late server half of a database / queue call). */
  merge?: boolean;
  /** The spans behind the call (pairCalls resolves them to per-call records; the rollups ignore them). */
  spans: CallSpans;
}

/**
 * Span ids of one call, within `traceId`. `caller`: the span that made the call (its CLIENT /
 * PRODUCER span, or the caller's span that is the server's parent when the client library is
 * not instrumented); null when the caller is not instrumented (root server). `client`: the
 * CLIENT / PRODUCER span when there is one. `server`: the SERVER / CONSUMER span (for a Zipkin
 * back-filled link, the callee's first span), null for a virtual callee (database, queue,
 * external peer without an instrumented server).
 */
export interface CallSpans {
  traceId: string;
  caller: string | null;
  client: string | null;
  server: string | null;
}

/** What happened to halves, per minute; feeds the completeness badge. */
export interface PairingCounts {
  paired: number;
  /** Client halves that expired with no partner and no usable peer attribute. */
  unpairedClient: number;
  /** Non-root server halves that expired with no client (lost parent, uninstrumented proxy). */
  unpairedServer: number;
  /** Client halves that expired and were drawn as a typed virtual node. */
  virtual: number;
  /** All halves that reached the wait without a partner. */
  expired: number;
  /** Halves refused because the store was full (or the key was a duplicate). */
  dropped: number;
}

export function emptyCounts(): PairingCounts {
  return { paired: 0, unpairedClient: 0, unpairedServer: 0, virtual: 0, expired: 0, dropped: 0 };
}

export function minuteOf(ms: number): number {
  return Math.floor(ms / 60_000);
}
