import "server-only";
import { SpanKind, StatusCode, type Span } from "../../normalize";

/**
 * The trace tree Zipkin's dependency linker walks, rebuilt from stored Zipkin spans
 * (docs/architecture.md, "Zipkin links"). Zipkin's rules, which this reproduces:
 * - the server half of a shared span (stored under a derived id, `zipkin.shared`) is the child
 *   of the non-shared span with its id (the client half);
 * - a span whose parent id is a shared id is the child of the server half on its own local
 *   endpoint when there is one, else of the plain span with that id;
 * - the first parentless span (ordered by id, client before server) is the root; every other
 *   parentless span, every span whose parent is not in the trace and every shared half without
 *   its client hang under that root (under a synthetic root when no span is parentless);
 * - the walk is breadth-first from the root; spans unreachable from it (a parent cycle) are skipped.
 */
export interface ZipkinNode {
  span: Span | null;
  parent: ZipkinNode | null;
  children: ZipkinNode[];
}

export const ZIPKIN_SCOPE = "zipkin";
/** The service the receiver gives a span without a local endpoint name. */
const UNKNOWN_SERVICE = "unknown_service";

/** A span that came in through the Zipkin receiver (v1 or v2): linked by Zipkin's rules. */
export function isZipkinSpan(s: Span): boolean {
  return s.scope.name === ZIPKIN_SCOPE;
}

export function isSharedHalf(s: Span): boolean {
  return s.attributes["zipkin.shared"] === true && s.kind === SpanKind.SERVER && s.parentSpanId !== null;
}

/** The span id Zipkin knows the span by: a shared server half goes by its client's id. */
export function zipkinIdOf(s: Span): string {
  return isSharedHalf(s) ? s.parentSpanId! : s.spanId;
}

/** Zipkin's kind: null for a kindless (local, or kind-inferred) span. */
export function zipkinKindOf(s: Span): "CLIENT" | "SERVER" | "PRODUCER" | "CONSUMER" | null {
  switch (s.kind) {
    case SpanKind.CLIENT:
      return "CLIENT";
    case SpanKind.SERVER:
      return "SERVER";
    case SpanKind.PRODUCER:
      return "PRODUCER";
    case SpanKind.CONSUMER:
      return "CONSUMER";
    default:
      return null;
  }
}

/** Local service name as Zipkin has it (null when the span had no local endpoint name). */
export function localNameOf(s: Span): string | null {
  const name = s.resource.service;
  return name === "" || name === UNKNOWN_SERVICE ? null : name;
}

/** The remote endpoint's service name (kept in `peer.service`). */
export function remoteNameOf(s: Span): string | null {
  const v = s.attributes["peer.service"];
  return typeof v === "string" && v !== "" ? v : null;
}

export function hasErrorTag(s: Span): boolean {
  return s.statusCode === StatusCode.ERROR;
}

function endpointKey(s: Span): string {
  const a = s.attributes;
  return `${localNameOf(s) ?? ""}\u0000${String(a["network.local.address"] ?? "")}\u0000${String(a["network.local.port"] ?? "")}`;
}

function compareForRoot(a: Span, b: Span): number {
  const byId = zipkinIdOf(a) < zipkinIdOf(b) ? -1 : zipkinIdOf(a) > zipkinIdOf(b) ? 1 : 0;
  if (byId !== 0) return byId;
  const ca = a.kind === SpanKind.CLIENT ? 0 : 1;
  const cb = b.kind === SpanKind.CLIENT ? 0 : 1;
  if (ca !== cb) return ca - cb;
  return (localNameOf(a) ?? "\uffff").localeCompare(localNameOf(b) ?? "\uffff");
}

/** Builds one trace's tree; `spans` must all have the same trace id. */
export function buildZipkinTree(spans: readonly Span[]): ZipkinNode {
  const nodes = spans.map((span): ZipkinNode => ({ span, parent: null, children: [] }));
  // Plain ids (non-shared spans, first one wins) and shared halves by (id, endpoint).
  const plain = new Map<string, ZipkinNode>();
  const shared = new Map<string, ZipkinNode>();
  const byStoredId = new Map<string, ZipkinNode>();
  for (const n of nodes) {
    const s = n.span!;
    if (isSharedHalf(s)) {
      const k = `${s.parentSpanId}\u0000${endpointKey(s)}`;
      if (!shared.has(k)) shared.set(k, n);
    } else if (!plain.has(s.spanId)) plain.set(s.spanId, n);
    if (!byStoredId.has(s.spanId)) byStoredId.set(s.spanId, n);
  }
  const parentless = nodes.filter((n) => !isSharedHalf(n.span!) && n.span!.parentSpanId === null);
  parentless.sort((a, b) => compareForRoot(a.span!, b.span!));
  const root: ZipkinNode = parentless[0] ?? { span: null, parent: null, children: [] };
  const attach = (child: ZipkinNode, parent: ZipkinNode | undefined) => {
    const p = parent && parent !== child ? parent : root;
    child.parent = p;
    p.children.push(child);
  };
  for (const n of nodes) {
    if (n === root) continue;
    const s = n.span!;
    if (isSharedHalf(s)) {
      attach(n, plain.get(s.parentSpanId!));
      continue;
    }
    if (s.parentSpanId === null) {
      attach(n, root);
      continue;
    }
    // The receiver may already have re-parented a child onto its server half's stored id.
    const parent =
      shared.get(`${s.parentSpanId}\u0000${endpointKey(s)}`) ??
      plain.get(s.parentSpanId) ??
      byStoredId.get(s.parentSpanId);
    attach(n, parent);
  }
  return root;
}

/** Breadth-first order from the root (the synthetic root's children first when there is no real root). */
export function walkZipkinTree(root: ZipkinNode): ZipkinNode[] {
  const out: ZipkinNode[] = [];
  const queue: ZipkinNode[] = root.span ? [root] : [...root.children];
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i]!;
    out.push(n);
    for (const c of n.children) queue.push(c);
  }
  return out;
}

/** The nearest ancestor with a kind (local spans between remote ones are skipped). */
export function firstRemoteAncestor(n: ZipkinNode): Span | null {
  for (let a = n.parent; a; a = a.parent) if (a.span && zipkinKindOf(a.span) !== null) return a.span;
  return null;
}
