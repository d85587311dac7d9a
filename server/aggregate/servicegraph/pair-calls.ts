import "server-only";
import { SpanKind, type Span } from "../../normalize";
import { pairSpans, type PairingSink } from "./pairing-store";
import type { ConnectionType, EdgeCall, EdgeProtocol, NodeKind, NodeRef } from "./types";

/**
 * One call of a trace set, as the service graph counts it, with the spans behind it. This is
 * the graph stage's pairing seen call by call: the map's edges are these records summed, and
 * the coupling rules read them instead of pairing spans again.
 */
export interface PairedCall<S extends Span = Span> {
  traceId: string;
  source: NodeRef;
  target: NodeRef;
  /** The callee's node kind: service, database, messaging, external, or client (never a callee). */
  targetKind: NodeKind;
  protocol: EdgeProtocol;
  connectionType: ConnectionType;
  /** The span that made the call: the CLIENT/PRODUCER span, or the server's parent when the client is not instrumented. */
  caller: S | null;
  /** The CLIENT/PRODUCER span, when the caller has one. */
  client: S | null;
  /**
   * The callee's span: its SERVER/CONSUMER span (for a Zipkin back-filled link, the callee's own
   * first span); null for a virtual callee (database, topic, external peer).
   */
  server: S | null;
  /** The caller's service name, when the source is an instrumented service. */
  callerService: string | null;
  /** The callee's service name, when the target is an instrumented service. */
  calleeService: string | null;
  /** Epoch ns: client span when there is one, else the server span. */
  startNs: bigint;
  endNs: bigint;
  error: boolean;
  /** Fire-and-forget: a PRODUCER, a CONSUMER, or a hop through a topic node. */
  async: boolean;
  /** A pool connect span, counted as a connection rather than a request. */
  connect: boolean;
  /** Same service name on both sides (another instance of itself): a loop edge on the map. */
  selfCall: boolean;
}

/**
 * Pairs the spans of a trace set into per-call records with the same rules as the streaming
 * aggregator and the batch map (pairSpans: CLIENT↔SERVER and PRODUCER↔CONSUMER halves,
 * one-sided topic hops, callers of root servers, virtual database / queue / external nodes,
 * uninstrumented clients, nested client spans). Pure; records come in input order of the
 * span that defines them (the server span, else the client span), so results are stable.
 * The caller's own span objects are returned (S), so a consumer keeps its derived fields.
 */
export function pairCalls<S extends Span>(spans: readonly S[]): PairedCall<S>[] {
  // Pairing never crosses a trace (halves meet on trace id + span id), so each trace is paired
  // on its own: small working sets, and short-lived garbage.
  const traces = new Map<string, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const t = spans[i]!.traceId;
    const list = traces.get(t);
    if (list) list.push(i);
    else traces.set(t, [i]);
  }
  const out: { order: number; call: PairedCall<S> }[] = [];
  for (const positions of traces.values()) pairTrace(spans, positions, out);
  out.sort((a, b) => a.order - b.order);
  return out.map((o) => o.call);
}

function pairTrace<S extends Span>(
  spans: readonly S[],
  positions: readonly number[],
  out: { order: number; call: PairedCall<S> }[],
): void {
  const index = new Map<string, number>();
  const trace: S[] = new Array(positions.length);
  for (let k = 0; k < positions.length; k++) {
    const s = spans[positions[k]!]!;
    trace[k] = s;
    if (!index.has(s.spanId)) index.set(s.spanId, positions[k]!);
  }
  const at = (id: string | null): number => (id === null ? -1 : (index.get(id) ?? -1));
  const sink: PairingSink = {
    call: (c) => {
      if (c.merge) return;
      const [caller, client, server] = [at(c.spans.caller), at(c.spans.client), at(c.spans.server)];
      const order = server >= 0 ? server : client >= 0 ? client : caller;
      out.push({ order, call: toRecord(c, spans, caller, client, server) });
    },
    count: () => {},
    service: () => {},
  };
  pairSpans(trace, sink);
}

function toRecord<S extends Span>(c: EdgeCall, spans: readonly S[], ci: number, li: number, si: number): PairedCall<S> {
  const caller = ci >= 0 ? spans[ci]! : null;
  const client = li >= 0 ? spans[li]! : null;
  const server = si >= 0 ? spans[si]! : null;
  const timed = client ?? server ?? caller;
  const callerService = c.source.kind === "service" ? (caller?.resource.service ?? c.source.name) : null;
  const calleeService = c.target.kind === "service" ? (server?.resource.service ?? c.target.name) : null;
  return {
    traceId: c.spans.traceId,
    source: c.source,
    target: c.target,
    targetKind: c.target.kind,
    protocol: c.protocol,
    connectionType: c.connectionType,
    caller,
    client,
    server,
    callerService,
    calleeService,
    startNs: timed?.startNs ?? BigInt(Math.round(c.timeMs)) * 1_000_000n,
    endNs: timed?.endNs ?? BigInt(Math.round(c.timeMs)) * 1_000_000n,
    error: c.error,
    async:
      c.connectionType === "messaging_system" ||
      client?.kind === SpanKind.PRODUCER ||
      server?.kind === SpanKind.CONSUMER,
    connect: c.connect,
    selfCall: callerService !== null && callerService === calleeService,
  };
}
