import "server-only";
import type { EdgeProtocol, Half, NodeRef } from "./types";
import { EDGE_PROTOCOLS } from "../../../lib/enums";

/**
 * The pairing store's memory: waiting halves as columns of typed arrays indexed by a slot,
 * not one object graph per span. A slot holds the numbers (start, duration, insert time,
 * flags), interned ids of the service, callee node and table, and the half's second span id
 * as 8 raw bytes; the trace id and the pairing id live in the Map key that points at the
 * slot. About 150 B per waiting half (the Map entry and its key string included) instead of
 * ~850 B for a Half object with its strings and NodeRef.
 */
const PROTOCOLS: readonly EdgeProtocol[] = EDGE_PROTOCOLS;
const F_SERVER = 1,
  F_ERROR = 2,
  F_CONNECT = 4,
  F_EMITTED = 8,
  F_OTHER = 16;

export class HalfTable {
  private cap = 0;
  private startMs = new Float64Array(0);
  private durationMs = new Float64Array(0);
  private insertedMs = new Float64Array(0);
  private flags = new Uint8Array(0);
  private protocol = new Uint8Array(0);
  private service = new Int32Array(0);
  private callee = new Int32Array(0);
  private table = new Int32Array(0);
  private other = Buffer.alloc(0);
  private free: number[] = [];
  private used = 0;
  private strings = new Intern<string>();
  private nodes = new Intern<NodeRef>();

  constructor(private readonly maxSlots: number) {}

  get size(): number {
    return this.used - this.free.length;
  }

  /** Stores a half; returns its slot. */
  put(h: Half, insertedMs: number, emitted: boolean): number {
    const slot = this.free.length > 0 ? this.free.pop()! : this.used++;
    if (slot >= this.cap) this.grow(slot + 1);
    this.startMs[slot] = h.startMs;
    this.durationMs[slot] = h.durationMs;
    this.insertedMs[slot] = insertedMs;
    const otherId = h.role === "client" ? h.parentSpanId : h.spanId;
    let f =
      (h.role === "server" ? F_SERVER : 0) |
      (h.error ? F_ERROR : 0) |
      (h.connect ? F_CONNECT : 0) |
      (emitted ? F_EMITTED : 0);
    if (otherId !== null && otherId.length === 16) {
      f |= F_OTHER;
      this.other.write(otherId, slot * 8, 8, "hex");
    }
    this.flags[slot] = f;
    this.protocol[slot] = PROTOCOLS.indexOf(h.protocol);
    this.service[slot] = this.strings.id(h.service, h.service);
    this.callee[slot] = h.callee === null ? -1 : this.nodes.id(nodeKey(h.callee), h.callee);
    this.table[slot] = h.table === null ? -1 : this.strings.id(h.table, h.table);
    return slot;
  }

  role(slot: number): "client" | "server" {
    return this.flags[slot]! & F_SERVER ? "server" : "client";
  }

  emitted(slot: number): boolean {
    return (this.flags[slot]! & F_EMITTED) !== 0;
  }

  insertedAt(slot: number): number {
    return this.insertedMs[slot]!;
  }

  /** The half of a slot; `traceId` and `id` (client: its span id, server: its parent id) come from the key. */
  get(slot: number, traceId: string, id: string): Half {
    const f = this.flags[slot]!;
    const server = (f & F_SERVER) !== 0;
    const other = f & F_OTHER ? this.other.hexSlice(slot * 8, slot * 8 + 8) : null;
    return {
      role: server ? "server" : "client",
      traceId,
      spanId: server ? (other ?? "") : id,
      parentSpanId: server ? id : other,
      service: this.strings.value(this.service[slot]!),
      startMs: this.startMs[slot]!,
      durationMs: this.durationMs[slot]!,
      error: (f & F_ERROR) !== 0,
      protocol: PROTOCOLS[this.protocol[slot]!]!,
      callee: this.callee[slot]! < 0 ? null : this.nodes.value(this.callee[slot]!),
      connect: (f & F_CONNECT) !== 0,
      caller: null,
      table: this.table[slot]! < 0 ? null : this.strings.value(this.table[slot]!),
    };
  }

  release(slot: number): void {
    this.free.push(slot);
    if (this.size === 0) {
      // Empty: the interned names can go too (they are bounded by what waits at once).
      this.free.length = 0;
      this.used = 0;
      this.strings.clear();
      this.nodes.clear();
    }
  }

  /** Interned names beyond what the live slots need (names of halves long gone). */
  get internWaste(): number {
    return this.strings.size + this.nodes.size - 3 * this.size;
  }

  /** Re-interns the names of the live slots only, dropping the rest. */
  compactInterns(live: Iterable<number>): void {
    const strings = new Intern<string>();
    const nodes = new Intern<NodeRef>();
    for (const slot of live) {
      this.service[slot] = strings.id(this.strings.value(this.service[slot]!), this.strings.value(this.service[slot]!));
      const t = this.table[slot]!;
      if (t >= 0) this.table[slot] = strings.id(this.strings.value(t), this.strings.value(t));
      const c = this.callee[slot]!;
      if (c >= 0) this.callee[slot] = nodes.id(this.nodes.key(c), this.nodes.value(c));
    }
    this.strings = strings;
    this.nodes = nodes;
  }

  private grow(min: number): void {
    let cap = Math.max(1024, this.cap * 2);
    while (cap < min) cap *= 2;
    cap = Math.max(min, Math.min(cap, this.maxSlots));
    const copy = <T extends Float64Array | Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.startMs = copy(this.startMs, (n) => new Float64Array(n));
    this.durationMs = copy(this.durationMs, (n) => new Float64Array(n));
    this.insertedMs = copy(this.insertedMs, (n) => new Float64Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.protocol = copy(this.protocol, (n) => new Uint8Array(n));
    this.service = copy(this.service, (n) => new Int32Array(n));
    this.callee = copy(this.callee, (n) => new Int32Array(n));
    this.table = copy(this.table, (n) => new Int32Array(n));
    const other = Buffer.alloc(cap * 8);
    this.other.copy(other);
    this.other = other;
    this.cap = cap;
  }
}

/** Same node id with different detail (tables, schemas) keeps each variant. */
function nodeKey(n: NodeRef): string {
  return n.detail ? `${n.id}\u0000${JSON.stringify(n.detail)}` : n.id;
}

class Intern<T> {
  private ids = new Map<string, number>();
  private values: T[] = [];
  private keys: string[] = [];

  get size(): number {
    return this.values.length;
  }

  id(key: string, value: T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.keys.push(key);
      this.ids.set(key, id);
    }
    return id;
  }

  key(id: number): string {
    return this.keys[id]!;
  }

  value(id: number): T {
    return this.values[id]!;
  }

  clear(): void {
    this.ids.clear();
    this.values.length = 0;
    this.keys.length = 0;
  }
}
