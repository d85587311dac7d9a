import "server-only";
import { addToSketch, createSketch, type Sketch } from "../red/sketch";
import { serviceNode } from "./node-identity";
import type { PairingSink } from "./pairing-store";
import {
  emptyCounts,
  minuteOf,
  type EdgeCall,
  type EdgeProtocol,
  type NodeDetail,
  type NodeRef,
  type PairingCounts,
} from "./types";

/**
 * Collects pairing output into per-minute edge rollups, node metadata and completeness counts.
 * The streaming aggregator drains it into SQLite on every flush; the query-time rebuild reads
 * it directly. Both therefore see the same numbers for the same spans.
 */
export interface EdgeMinute {
  source: string;
  target: string;
  protocol: EdgeProtocol;
  minute: number;
  calls: number;
  errors: number;
  connects: number;
  clientSketch: Sketch;
  serverSketch: Sketch;
}

export interface NodeMeta extends NodeRef {
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface EdgeMeta {
  source: string;
  target: string;
  protocol: EdgeProtocol;
  firstSeenMs: number;
  lastSeenMs: number;
  tables: string[];
}

/** Bounds the detail lists (tables, schemas) kept per node / edge. */
const MAX_DETAIL = 64;

export function edgeKey(source: string, target: string, protocol: string): string {
  return `${source}\u0000${target}\u0000${protocol}`;
}

function mergeList(into: string[] | undefined, from: string[] | undefined): string[] | undefined {
  if (!from || from.length === 0) return into;
  const out = into ? [...into] : [];
  for (const v of from) if (!out.includes(v) && out.length < MAX_DETAIL) out.push(v);
  return out;
}

/** Unions two detail records (lists merged, flags or-ed). */
export function mergeDetail(a: NodeDetail | undefined, b: NodeDetail | undefined): NodeDetail {
  const out: NodeDetail = { ...(a ?? {}) };
  if (!b) return out;
  for (const k of ["schemas", "tables", "instances", "consumerGroups"] as const) {
    const m = mergeList(out[k], b[k]);
    if (m) out[k] = m;
  }
  if (b.ipOnly) out.ipOnly = true;
  if (b.via) out.via = b.via;
  return out;
}

/** Whether merging `b` into `a` would change nothing (every value present or the list full). */
function holdsDetail(a: NodeDetail | undefined, b: NodeDetail): boolean {
  for (const k of ["schemas", "tables", "instances", "consumerGroups"] as const) {
    const from = b[k];
    if (!from || from.length === 0) continue;
    const into = a?.[k];
    if (!into) return false;
    if (into.length >= MAX_DETAIL) continue;
    for (const v of from) if (!into.includes(v)) return false;
  }
  if (b.ipOnly && !a?.ipOnly) return false;
  if (b.via && a?.via !== b.via) return false;
  return true;
}

/** Minutes since the epoch fit 26 bits until 2097; an edge-minute key is edge index × 2^26 + minute. */
const MINUTE_SPAN = 2 ** 26;
const PROTOCOL_CODES: Record<EdgeProtocol, number> = { http: 0, grpc: 1, db: 2, messaging: 3, other: 4 };

export class GraphAccumulator implements PairingSink {
  /** Edge-minute rows by a numeric key (no string is built per call): read them with `values()`. */
  readonly edges = new Map<number, EdgeMinute>();
  /** Per edge, by `edgeKey(source, target, protocol)`. */
  readonly edgeMeta = new Map<string, EdgeMeta>();
  readonly nodes = new Map<string, NodeMeta>();
  readonly completeness = new Map<number, PairingCounts>();
  /** Optional observer of every call (the /metrics counters). */
  onCall: ((c: EdgeCall) => void) | null = null;
  /** Node ids and edges numbered for this accumulation (cleared with it). */
  private readonly nodeIndex = new Map<string, number>();
  private readonly edgeIndex = new Map<number, number>();
  private readonly edgeMetaByIndex: EdgeMeta[] = [];

  call(c: EdgeCall): void {
    this.touchNode(c.source, c.timeMs);
    this.touchNode(c.target, c.timeMs);
    const minute = minuteOf(c.timeMs);
    const edge = this.edgeOf(c);
    const mk = edge * MINUTE_SPAN + (minute % MINUTE_SPAN);
    let row = this.edges.get(mk);
    if (!row || row.minute !== minute) {
      row = {
        source: c.source.id,
        target: c.target.id,
        protocol: c.protocol,
        minute,
        calls: 0,
        errors: 0,
        connects: 0,
        clientSketch: createSketch(),
        serverSketch: createSketch(),
      };
      this.edges.set(mk, row);
    }
    if (c.merge) {
      if (c.serverMs !== null) addToSketch(row.serverSketch, c.serverMs);
    } else if (c.connect) {
      row.connects++;
    } else {
      row.calls++;
      if (c.error) row.errors++;
      if (c.clientMs !== null) addToSketch(row.clientSketch, c.clientMs);
      if (c.serverMs !== null) addToSketch(row.serverSketch, c.serverMs);
    }
    const meta = this.edgeMetaByIndex[edge]!;
    if (c.timeMs < meta.firstSeenMs) meta.firstSeenMs = c.timeMs;
    if (c.timeMs > meta.lastSeenMs) meta.lastSeenMs = c.timeMs;
    if (c.table && !meta.tables.includes(c.table) && meta.tables.length < MAX_DETAIL) meta.tables.push(c.table);
    this.onCall?.(c);
  }

  /** The edge's index: node ids and protocol numbered, its meta row made on first sight. */
  private edgeOf(c: EdgeCall): number {
    const source = this.nodeNumber(c.source.id);
    const target = this.nodeNumber(c.target.id);
    const key = (source * 2 ** 22 + target) * 8 + PROTOCOL_CODES[c.protocol];
    let edge = this.edgeIndex.get(key);
    if (edge === undefined) {
      edge = this.edgeMetaByIndex.length;
      this.edgeIndex.set(key, edge);
      const sk = edgeKey(c.source.id, c.target.id, c.protocol);
      let meta = this.edgeMeta.get(sk);
      if (!meta) {
        meta = {
          source: c.source.id,
          target: c.target.id,
          protocol: c.protocol,
          firstSeenMs: c.timeMs,
          lastSeenMs: c.timeMs,
          tables: [],
        };
        this.edgeMeta.set(sk, meta);
      }
      this.edgeMetaByIndex.push(meta);
    }
    return edge;
  }

  private nodeNumber(id: string): number {
    let n = this.nodeIndex.get(id);
    if (n === undefined) this.nodeIndex.set(id, (n = this.nodeIndex.size));
    return n;
  }

  count(what: keyof PairingCounts, timeMs: number): void {
    const minute = minuteOf(timeMs);
    let c = this.completeness.get(minute);
    if (!c) this.completeness.set(minute, (c = emptyCounts()));
    c[what]++;
  }

  /** A service seen (also INTERNAL-only ones); `key` is its service key (name plus environment). */
  service(key: string, timeMs: number): void {
    this.touchNode(serviceNode(key), timeMs);
  }

  private touchNode(n: NodeRef, timeMs: number): void {
    const cur = this.nodes.get(n.id);
    if (!cur) {
      this.nodes.set(n.id, { ...n, detail: mergeDetail(undefined, n.detail), firstSeenMs: timeMs, lastSeenMs: timeMs });
      return;
    }
    if (timeMs < cur.firstSeenMs) cur.firstSeenMs = timeMs;
    if (timeMs > cur.lastSeenMs) cur.lastSeenMs = timeMs;
    // Most calls repeat detail the node already holds: merge (and allocate) only when it adds.
    if (n.detail && !holdsDetail(cur.detail, n.detail)) cur.detail = mergeDetail(cur.detail, n.detail);
  }

  isEmpty(): boolean {
    return this.edges.size === 0 && this.nodes.size === 0 && this.completeness.size === 0;
  }

  /** Empties the accumulator (after a flush wrote its contents). */
  clear(): void {
    this.edges.clear();
    this.edgeMeta.clear();
    this.nodeIndex.clear();
    this.edgeIndex.clear();
    this.edgeMetaByIndex.length = 0;
    this.nodes.clear();
    this.completeness.clear();
  }
}
