import "server-only";
import type { ZipkinEndpoint, ZipkinSpan } from "../decode";

/**
 * Zipkin merges what a reporter sends in pieces before it links a trace, and so does Cartograph,
 * within one request: spans with the same trace id, span id and `shared` flag whose local
 * endpoints do not conflict (no two different names, addresses or ports) are one span; the first
 * piece's fields win, missing ones are filled from the next, tags and annotations are united.
 * Pieces are ordered as Zipkin orders them (clients first, a piece without an endpoint first),
 * which also means an unflagged server half on the client's own endpoint (a call to the same
 * process) becomes part of the client, as in Zipkin. Returns each merged span with the index of
 * its first piece in the request (for error messages).
 */
export function mergeZipkinParts(spans: readonly ZipkinSpan[]): Array<{ span: ZipkinSpan; index: number }> {
  const groups = new Map<string, number[]>();
  spans.forEach((z, i) => {
    const k = `${z.traceId.padStart(32, "0")}:${z.id.padStart(16, "0")}`;
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  if (groups.size === spans.length) return spans.map((span, index) => ({ span, index }));
  const out: Array<{ span: ZipkinSpan; index: number }> = [];
  for (const g of groups.values()) {
    if (g.length === 1) {
      out.push({ span: spans[g[0]!]!, index: g[0]! });
      continue;
    }
    const ordered = [...g].sort((a, b) => compareParts(spans[a]!, spans[b]!) || a - b);
    for (let i = 0; i < ordered.length; i++) {
      let span = spans[ordered[i]!]!;
      const index = ordered[i]!;
      const track = createEndpointTracker();
      track(span.localEndpoint);
      while (i + 1 < ordered.length) {
        const next = spans[ordered[i + 1]!]!;
        if (next.shared !== span.shared || !track(next.localEndpoint)) break;
        span = mergePart(span, next);
        i++;
      }
      out.push({ span, index });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

function compareParts(a: ZipkinSpan, b: ZipkinSpan): number {
  if (a.shared !== b.shared) return a.shared ? 1 : -1;
  if (!a.shared) {
    const ac = a.kind === "CLIENT";
    const bc = b.kind === "CLIENT";
    if (ac !== bc) return ac ? -1 : 1;
  }
  const ea = a.localEndpoint;
  const eb = b.localEndpoint;
  if (!ea || !eb) return !ea ? (!eb ? 0 : -1) : 1;
  return cmp(ea.serviceName, eb.serviceName) || cmp(ea.ipv4, eb.ipv4) || cmp(ea.ipv6, eb.ipv6);
}

const cmp = (a: string | null, b: string | null) =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0;

function createEndpointTracker(): (e: ZipkinEndpoint | null) => boolean {
  const t: ZipkinEndpoint = { serviceName: null, ipv4: null, ipv6: null, port: null };
  return (e) => {
    if (!e) return true;
    if (t.serviceName && e.serviceName && t.serviceName !== e.serviceName) return false;
    if (t.ipv4 && e.ipv4 && t.ipv4 !== e.ipv4) return false;
    if (t.ipv6 && e.ipv6 && t.ipv6 !== e.ipv6) return false;
    if (t.port && e.port && t.port !== e.port) return false;
    t.serviceName ??= e.serviceName;
    t.ipv4 ??= e.ipv4;
    t.ipv6 ??= e.ipv6;
    t.port ??= e.port;
    return true;
  };
}

function mergeEndpoint(a: ZipkinEndpoint | null, b: ZipkinEndpoint | null): ZipkinEndpoint | null {
  if (!a || !b) return a ?? b;
  return {
    serviceName: a.serviceName ?? b.serviceName,
    ipv4: a.ipv4 ?? b.ipv4,
    ipv6: a.ipv6 ?? b.ipv6,
    port: a.port ?? b.port,
  };
}

function mergePart(a: ZipkinSpan, b: ZipkinSpan): ZipkinSpan {
  return {
    ...a,
    parentId: a.parentId ?? b.parentId,
    kind: a.kind ?? b.kind,
    name: a.name || b.name,
    timestampUs: a.timestampUs ?? b.timestampUs,
    durationUs: a.durationUs ?? b.durationUs,
    localEndpoint: mergeEndpoint(a.localEndpoint, b.localEndpoint),
    remoteEndpoint: mergeEndpoint(a.remoteEndpoint, b.remoteEndpoint),
    annotations: [
      ...a.annotations,
      ...b.annotations.filter(
        (x) => !a.annotations.some((y) => y.value === x.value && y.timestampUs === x.timestampUs),
      ),
    ],
    tags: { ...a.tags, ...b.tags },
    debug: a.debug || b.debug,
    shared: a.shared || b.shared,
  };
}
