import "server-only";
import { readSemconv, type Semconv, type Span } from "../../normalize";
import { calleeOf, protocolOf, spanDurationMs, spanServiceKey, spanStartMs } from "./classify-span";
import { callerNode, externalNode, messagingNode, scopeNode, serviceKey, serviceNode } from "./node-identity";
import type { CallSpans, EdgeCall, NodeRef, PairingCounts } from "./types";
import {
  buildZipkinTree,
  firstRemoteAncestor,
  hasErrorTag,
  isSharedHalf,
  localNameOf,
  remoteNameOf,
  walkZipkinTree,
  zipkinKindOf,
  type ZipkinNode,
} from "./zipkin-tree";

/**
 * Zipkin traffic is linked by Zipkin's own dependency-linking rules (its DependencyLinker),
 * so the map counts the same calls and errors Zipkin's dependency view does; Cartograph only
 * types the nodes (a remote name that is a database, a broker's topic, a caller). Per span of
 * the tree, breadth-first (zipkin-tree.ts):
 * - a CLIENT span with children adds nothing (its children name the call);
 * - a kindless span with a local and a remote name counts as a CLIENT; other kindless spans add nothing;
 * - PRODUCER: service → broker; CONSUMER: broker → service; nothing when either name is missing;
 * - SERVER: nearest ancestor with a kind → service (local spans between are skipped); without
 *   such an ancestor, remote name → service; a root server without a remote name adds no
 *   Zipkin link (Cartograph draws its caller node, see below);
 * - CLIENT: service → remote name (the service the name is, when the trace has it; else a typed
 *   node); when the nearest ancestor with a kind is another service, ancestor → service is
 *   added too (Zipkin's back-filled link, never an error);
 * - error: the span's `error` tag; a server or client whose parent is its client ancestor
 *   (a split, non-shared RPC) also takes that client's `error` tag.
 * One deliberate addition beyond Zipkin: a root server without a remote name gets Cartograph's
 * caller node (`user`, a user agent, an address), as OTLP roots do.
 */
/** Where links go (a PairingSink; declared here so pairing-store can import this file). */
export interface ZipkinLinkSink {
  call(c: EdgeCall): void;
  count(what: keyof PairingCounts, timeMs: number): void;
}

interface Ctx {
  sink: ZipkinLinkSink;
  /** Local service names of the trace → service key (a remote name that is one links to it). */
  services: Map<string, string>;
}

/** The node a client's or producer's remote name stands for. */
function calleeNode(span: Span, sc: Semconv, remote: string | null, ctx: Ctx): NodeRef | null {
  if (remote !== null && ctx.services.has(remote)) return serviceNode(ctx.services.get(remote)!);
  const env = span.resource.environment;
  if (sc.messagingSystem && sc.messagingDestination) {
    const node = messagingNode(sc.messagingSystem, sc.messagingDestination, null);
    return scopeNode(remote ? { ...node, host: remote } : node, env);
  }
  const typed = calleeOf(span, sc);
  if (typed) return typed;
  if (remote === null) return null;
  return scopeNode(
    externalNode({ ...sc, peerService: remote }, span.attributes, span.resource.service) ?? {
      id: `external:${encodeURIComponent(remote)}`,
      kind: "external",
      name: remote,
    },
    env,
  );
}

function call(
  source: NodeRef,
  target: NodeRef,
  span: Span,
  sc: Semconv,
  error: boolean,
  extra: Partial<EdgeCall> & { spans: CallSpans },
): EdgeCall {
  const connectionType =
    target.kind === "database"
      ? "database"
      : target.kind === "messaging" || source.kind === "messaging"
        ? "messaging_system"
        : target.kind === "service" && source.kind === "service"
          ? ""
          : "virtual_node";
  return {
    source,
    target,
    protocol: protocolOf(sc),
    connectionType,
    timeMs: spanStartMs(span),
    error,
    clientMs: null,
    serverMs: null,
    connect: false,
    table: null,
    ...extra,
  };
}

/** The span ids of one link (EdgeCall.spans). */
function ids(s: Span, caller: Span | null, client: Span | null, server: Span | null): CallSpans {
  return {
    traceId: s.traceId,
    caller: caller?.spanId ?? null,
    client: client?.spanId ?? null,
    server: server?.spanId ?? null,
  };
}

function linkNode(node: ZipkinNode, root: ZipkinNode, ctx: Ctx): void {
  const s = node.span!;
  let kind = zipkinKindOf(s);
  if (kind === "CLIENT" && node.children.length > 0) return;
  const service = localNameOf(s);
  const remote = remoteNameOf(s);
  if (kind === null) {
    if (service === null || remote === null) return;
    kind = "CLIENT";
  }
  const sc = readSemconv(s.attributes);
  const env = s.resource.environment;
  let isError = hasErrorTag(s);
  const own = spanDurationMs(s);
  if (kind === "PRODUCER" || kind === "CONSUMER") {
    if (service === null || remote === null) return;
    const topic = sc.messagingSystem && sc.messagingDestination;
    const self = serviceNode(spanServiceKey(s));
    if (kind === "PRODUCER") {
      const target = calleeNode(s, sc, remote, ctx)!;
      ctx.sink.call(
        call(self, target, s, sc, isError, { protocol: "messaging", clientMs: own, spans: ids(s, s, s, null) }),
      );
    } else {
      const broker = topic
        ? scopeNode(
            {
              ...messagingNode(sc.messagingSystem!, sc.messagingDestination!, sc.messagingConsumerGroup),
              host: remote,
            },
            env,
          )
        : scopeNode(callerNode({ ...sc, peerService: remote }), env);
      ctx.sink.call(
        call(broker, self, s, sc, isError, { protocol: "messaging", serverMs: own, spans: ids(s, null, null, s) }),
      );
    }
    return;
  }
  if (kind === "SERVER" && node === root && remote === null) {
    // Not a Zipkin link: Cartograph's entry-point caller (user agent, address or `user`).
    ctx.sink.call(
      call(scopeNode(callerNode(sc), env), serviceNode(spanServiceKey(s)), s, sc, isError, {
        serverMs: own,
        spans: ids(s, null, null, s),
      }),
    );
    return;
  }
  const ancestor = firstRemoteAncestor(node);
  const ancestorName = ancestor ? localNameOf(ancestor) : null;
  let parentKey: string | null = null;
  let fromClient: Span | null = null;
  if (ancestor && ancestorName !== null) {
    if (kind === "CLIENT" && service !== null && ancestorName !== service) {
      ctx.sink.call(
        call(serviceNode(spanServiceKey(ancestor)), serviceNode(spanServiceKey(s)), s, sc, false, {
          connectionType: "",
          // The callee's only span here is its client span: it stands for the callee side.
          spans: ids(s, ancestor, null, s),
        }),
      );
    }
    if (kind === "SERVER" || service === null) parentKey = spanServiceKey(ancestor);
    const directChild = zipkinKindOf(ancestor) === "CLIENT" && s.parentSpanId === ancestor.spanId;
    if (directChild) fromClient = ancestor;
    if (!isError && directChild && !isSharedHalf(s)) isError = hasErrorTag(ancestor);
  }
  if (kind === "SERVER") {
    const self = serviceNode(spanServiceKey(s));
    if (parentKey !== null) {
      if (fromClient) ctx.sink.count("paired", spanStartMs(fromClient));
      const c = fromClient ? readSemconv(fromClient.attributes) : null;
      ctx.sink.call(
        call(serviceNode(parentKey), self, s, sc, isError, {
          protocol: c && protocolOf(c) !== "other" ? protocolOf(c) : protocolOf(sc),
          timeMs: fromClient ? spanStartMs(fromClient) : spanStartMs(s),
          clientMs: fromClient ? spanDurationMs(fromClient) : null,
          serverMs: own,
          connectionType: "",
          spans: ids(s, ancestor, fromClient, s),
        }),
      );
    } else if (remote !== null) {
      ctx.sink.call(
        call(scopeNode(callerNode({ ...sc, peerService: remote }), env), self, s, sc, isError, {
          serverMs: own,
          spans: ids(s, null, null, s),
        }),
      );
    }
    return;
  }
  // CLIENT
  const sourceKey = service !== null ? spanServiceKey(s) : parentKey;
  if (sourceKey === null) return;
  if (remote === null) return;
  const target = calleeNode(s, sc, remote, ctx);
  if (target === null) return;
  ctx.sink.count("virtual", spanStartMs(s));
  ctx.sink.call(
    call(serviceNode(sourceKey), target, s, sc, isError, {
      clientMs: own,
      table: sc.dbCollection,
      spans: ids(s, service !== null ? s : ancestor, s, null),
    }),
  );
}

/**
 * Links one trace's Zipkin spans (all of the trace that is known) and emits the calls of the
 * spans `only` selects (the ones not linked before), so spans that arrive in several requests
 * still count once each.
 */
export function linkZipkinTrace(spans: readonly Span[], sink: ZipkinLinkSink, only?: (s: Span) => boolean): void {
  if (spans.length === 0) return;
  const services = new Map<string, string>();
  for (const s of spans) {
    const name = localNameOf(s);
    if (name !== null && !services.has(name)) services.set(name, serviceKey(name, s.resource.environment));
  }
  const ctx: Ctx = { sink, services };
  const root = buildZipkinTree(spans);
  for (const node of walkZipkinTree(root)) {
    if (only && !only(node.span!)) continue;
    linkNode(node, root, ctx);
  }
}

/** Groups spans by trace and links each (the batch rebuild: every span is new). */
export function linkZipkinSpans(spans: readonly Span[], sink: ZipkinLinkSink): void {
  const byTrace = new Map<string, Span[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  for (const list of byTrace.values()) linkZipkinTrace(list, sink);
}
