import "server-only";
import { readSemconv, StatusCode, type Span } from "../../normalize";
import { pairCalls, type PairedCall } from "../../aggregate/servicegraph";
import type { ReadSpan } from "../types";
import type { Policy } from "../policy/schema";
import { resolveOwnership, type Ownership, type ServiceFacts } from "../policy/resolve";

/** One call as the service graph pairs it, over the coupling model's spans. */
export type Call = PairedCall<ReadSpan>;

/**
 * A synchronous call between two differently named instrumented services: what dependency
 * rules count. Self-calls (another instance of the same service) are calls on the map but
 * never a dependency, so they are not here.
 */
export interface ServiceCall extends Call {
  callerService: string;
  calleeService: string;
  caller: ReadSpan;
  server: ReadSpan;
}

export const spanKey = (traceId: string, spanId: string): string => traceId + "/" + spanId;

/** Exact microseconds of a nanosecond time (store times are ns since the epoch). */
const usOf = (ns: bigint): number => Number(ns / 1000n);

/** A call's trace and extent in microseconds, as evidence records it. */
export function callExtent(c: Call): { traceId: string; startUs: number; endUs: number } {
  return { traceId: c.traceId, startUs: usOf(c.startNs), endUs: usOf(c.endNs) };
}

/**
 * Everything the rules share, derived once from the window's spans: semantic-convention
 * readings, trace indexes, sync calls, and the owner/role resolution of the policy.
 */
export interface CouplingModel {
  window: { fromMs: number; toMs: number };
  spans: ReadSpan[];
  traces: Map<string, ReadSpan[]>;
  byKey: Map<string, ReadSpan>;
  children: Map<string, ReadSpan[]>;
  /** Every call of the window as the service graph pairs it (pairCalls): sync, async, virtual peers, entries. */
  calls: Call[];
  /** The synchronous service-to-service calls among `calls`, self-calls left out. */
  serviceCalls: ServiceCall[];
  /** CLIENT span -> the SERVER span it reached (synchronous pairs only). */
  serverOf: Map<ReadSpan, ReadSpan>;
  services: Set<string>;
  ownership: Ownership;
  /** Resource attributes per service (last seen), for IP resolution and units. */
  facts: Map<string, ServiceFacts & { ips: Set<string>; podIps: Set<string> }>;
}

export function buildCouplingModel(
  input: readonly Span[],
  policy: Policy,
  window: { fromMs: number; toMs: number },
): CouplingModel {
  const spans: ReadSpan[] = new Array(input.length);
  const traces = new Map<string, ReadSpan[]>();
  const byKey = new Map<string, ReadSpan>();
  const facts: CouplingModel["facts"] = new Map();
  for (let i = 0; i < input.length; i++) {
    const s = input[i]!;
    const r: ReadSpan = {
      ...s,
      sc: readSemconv(s.attributes),
      service: s.resource.service,
      startUs: usOf(s.startNs),
      endUs: usOf(s.endNs),
      error: s.statusCode === StatusCode.ERROR,
    };
    spans[i] = r;
    byKey.set(spanKey(r.traceId, r.spanId), r);
    let t = traces.get(r.traceId);
    if (!t) traces.set(r.traceId, (t = []));
    t.push(r);
    let f = facts.get(r.service);
    if (!f) {
      f = {
        namespace: r.resource.namespace,
        partOf:
          strAttr(r.resource.attributes["app.kubernetes.io/part-of"]) ??
          strAttr(r.resource.attributes["k8s.label.app.kubernetes.io/part-of"]),
        ips: new Set(),
        podIps: new Set(),
      };
      facts.set(r.service, f);
    }
    const podIp = strAttr(r.resource.attributes["k8s.pod.ip"]);
    if (podIp) f.podIps.add(podIp);
    const hostIp = r.resource.attributes["host.ip"];
    for (const ip of Array.isArray(hostIp) ? hostIp : [hostIp]) if (typeof ip === "string") f.ips.add(ip);
  }
  const children = new Map<string, ReadSpan[]>();
  for (const s of spans) {
    if (s.parentSpanId === null) continue;
    const k = spanKey(s.traceId, s.parentSpanId);
    let c = children.get(k);
    if (!c) children.set(k, (c = []));
    c.push(s);
  }
  const calls = pairCalls(spans);
  const serviceCalls = calls.filter(isServiceCall);
  const serverOf = new Map<ReadSpan, ReadSpan>();
  for (const c of calls) if (c.client && c.server && !c.async) serverOf.set(c.client, c.server);
  return {
    window,
    spans,
    traces,
    byKey,
    children,
    calls,
    serviceCalls,
    serverOf,
    services: new Set(facts.keys()),
    ownership: resolveOwnership(policy, facts),
    facts,
  };
}

function isServiceCall(c: Call): c is ServiceCall {
  return (
    !c.async &&
    !c.selfCall &&
    !c.connect &&
    c.callerService !== null &&
    c.calleeService !== null &&
    c.caller !== null &&
    c.server !== null
  );
}

function strAttr(v: unknown): string | null {
  return typeof v === "string" && v !== "" ? v : null;
}

/** The parent span, or undefined at a root / a missing parent. */
export function parentOf(m: CouplingModel, s: ReadSpan): ReadSpan | undefined {
  return s.parentSpanId === null ? undefined : m.byKey.get(spanKey(s.traceId, s.parentSpanId));
}

export function childrenOf(m: CouplingModel, s: ReadSpan): readonly ReadSpan[] {
  return m.children.get(spanKey(s.traceId, s.spanId)) ?? [];
}

/**
 * The service that logically called `call.callee`, skipping services with an infra role
 * (gateway, sidecar, ...): walk up through the infra service's spans to the span that
 * entered it. Null when the chain starts at the infra service (external traffic).
 */
export function logicalCaller(
  m: CouplingModel,
  call: ServiceCall,
  isInfra: (service: string) => boolean,
): string | null {
  let service = call.callerService;
  let span: ReadSpan | undefined = call.caller;
  for (let hops = 0; hops < 8 && isInfra(service); hops++) {
    // climb to the first span of `service` whose parent is another service
    while (span && span.service === service) {
      const p = parentOf(m, span);
      if (!p || p.service !== service) {
        span = p;
        break;
      }
      span = p;
    }
    if (!span) return null;
    service = span.service;
  }
  return isInfra(service) ? null : service;
}

export const isoOfUs = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, "Z");

/** Tracks first/last seen, calls and example trace ids of one finding's evidence. */
export class EvidenceAcc {
  calls = 0;
  firstUs = Infinity;
  lastUs = -Infinity;
  readonly traceIds = new Set<string>();
  add(s: { traceId: string; startUs: number; endUs?: number }, calls = 1): void {
    this.calls += calls;
    if (s.startUs < this.firstUs) this.firstUs = s.startUs;
    const end = s.endUs ?? s.startUs;
    if (end > this.lastUs) this.lastUs = end;
    if (this.traceIds.size < 5) this.traceIds.add(s.traceId);
  }
  merge(o: EvidenceAcc): void {
    this.calls += o.calls;
    this.firstUs = Math.min(this.firstUs, o.firstUs);
    this.lastUs = Math.max(this.lastUs, o.lastUs);
    for (const t of o.traceIds) if (this.traceIds.size < 5) this.traceIds.add(t);
  }
  seen(): { firstSeen: string; lastSeen: string } {
    return { firstSeen: isoOfUs(this.firstUs), lastSeen: isoOfUs(this.lastUs) };
  }
}
