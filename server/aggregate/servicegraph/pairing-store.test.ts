import { describe, expect, it } from "vitest";
import { GraphAccumulator } from "./graph-accumulator";
import { PairingStore, pairSpans, settleExpired } from "./pairing-store";
import { buildGraphFromSpans } from "./build-graph";
import { createSpanFactory, edgeIds } from "../../../tests/fixtures/servicegraph/span-factory";
import type { Span } from "../../normalize";

function edgesOf(acc: GraphAccumulator): string[] {
  return [...new Set([...acc.edges.values()].map((r) => `${r.source}->${r.target}`))].sort();
}

function total(
  acc: GraphAccumulator,
  what: "paired" | "unpairedClient" | "unpairedServer" | "virtual" | "expired" | "dropped",
): number {
  let n = 0;
  for (const c of acc.completeness.values()) n += c[what];
  return n;
}

describe("PairingStore", () => {
  it("pairs regardless of arrival order and across batches", () => {
    const f = createSpanFactory();
    const root = f.server("a");
    const [c, s] = f.httpCall(root, "b");
    for (const order of [
      [c, s],
      [s, c],
    ]) {
      const store = new PairingStore({ waitMs: 10_000, maxItems: 100 });
      const acc = new GraphAccumulator();
      store.addSpan(order[0]!, 0, acc);
      expect(store.pending).toBe(1);
      store.addSpan(order[1]!, 5_000, acc);
      expect(store.pending).toBe(0);
      expect(edgesOf(acc)).toEqual(["service:a->service:b"]);
      expect(total(acc, "paired")).toBe(1);
    }
  });

  it("hands its waiting halves to a new store that keeps their wait and pairs them", () => {
    const f = createSpanFactory();
    const root = f.server("a");
    const [call, answer] = f.httpCall(root, "b");
    const [lone] = f.httpCall(root, "ext", { host: "api.example.com", instrumented: false });
    const before = new PairingStore({ waitMs: 10_000, maxItems: 100 });
    const first = new GraphAccumulator();
    before.addSpan(call!, 1_000, first);
    before.addSpan(lone!, 2_000, first);
    // Through JSON, as a clean stop saves them.
    const saved = JSON.parse(JSON.stringify(before.listWaiting()));
    const after = new PairingStore({ waitMs: 10_000, maxItems: 100 });
    expect(after.restoreWaiting(saved)).toBe(2);
    expect(after.restoreWaiting(saved)).toBe(0); // already there
    const acc = new GraphAccumulator();
    after.addSpan(answer!, 5_000, acc);
    expect(edgesOf(acc)).toEqual(["service:a->service:b"]);
    // The lone call's wait still runs from its first arrival.
    expect(after.takeExpired(11_999)).toEqual([]);
    const expired = after.takeExpired(12_000);
    expect(expired.map((h) => h.spanId)).toEqual([lone!.spanId]);
    for (const h of expired) settleExpired(h, null, acc);
    expect(edgesOf(acc)).toEqual(["service:a->external:api.example.com", "service:a->service:b"]);
  });

  it("expires in insertion order after the wait and settles lone halves", () => {
    const f = createSpanFactory();
    const root = f.server("a");
    const [lone] = f.httpCall(root, "ext", { host: "api.example.com", instrumented: false });
    const orphan = f.server("b", { parent: "00000000000000aa" });
    const store = new PairingStore({ waitMs: 10_000, maxItems: 100 });
    const acc = new GraphAccumulator();
    store.addSpan(lone!, 0, acc);
    store.addSpan(orphan, 4_000, acc);
    expect(store.takeExpired(9_999)).toEqual([]);
    const first = store.takeExpired(10_000);
    expect(first.map((h) => h.service)).toEqual(["a"]);
    expect(store.pending).toBe(1);
    for (const h of [...first, ...store.takeExpired(20_000)]) settleExpired(h, null, acc);
    expect(edgesOf(acc)).toEqual(["service:a->external:api.example.com"]);
    expect(total(acc, "virtual")).toBe(1);
    expect(total(acc, "unpairedServer")).toBe(1);
    expect(total(acc, "expired")).toBe(2);
  });

  it("refuses new halves when full and counts them, never growing past max items", () => {
    const f = createSpanFactory();
    const store = new PairingStore({ waitMs: 10_000, maxItems: 1000 });
    const acc = new GraphAccumulator();
    for (let i = 0; i < 50_000; i++) {
      f.newTrace();
      store.addSpan(f.client("a", { attrs: { "server.address": "x" } }), 0, acc);
    }
    expect(store.pending).toBe(1000);
    expect(store.totals.dropped).toBe(49_000);
    expect(total(acc, "dropped")).toBe(49_000);
  });
});

describe("pairSpans: bad input never crashes or wedges", () => {
  it("counts duplicate span ids once and ignores unknown parents", () => {
    const f = createSpanFactory();
    const root = f.server("a");
    const [c, s] = f.httpCall(root, "b");
    const acc = new GraphAccumulator();
    pairSpans([root, c!, { ...c! }, s!, f.server("c", { parent: "ffffffffffffffff" })], acc);
    expect(edgesOf(acc)).toEqual(["client:user->service:a", "service:a->service:b"]);
    expect([...acc.edges.values()].find((r) => r.target === "service:b")!.calls).toBe(1);
    expect(total(acc, "dropped")).toBe(1);
    expect(total(acc, "unpairedServer")).toBe(1);
  });

  it("survives a parent cycle inside one trace", () => {
    const f = createSpanFactory();
    const x: Span = f.server("x", { spanId: "000000000000000a", parent: "000000000000000c" });
    const y: Span = f.client("x", {
      spanId: "000000000000000b",
      parent: "000000000000000a",
      attrs: { "server.address": "y" },
    });
    const z: Span = f.server("y", { spanId: "000000000000000c", parent: "000000000000000b" });
    const self: Span = f.server("w", { spanId: "000000000000000d", parent: "000000000000000d" });
    const map = buildGraphFromSpans([x, y, z, self]);
    expect(edgeIds(map)).toContain("service:x->service:y");
    expect(map.nodes.map((n) => n.id)).toContain("service:w");
  });

  it("links a server to a parent of another service that has no client span", () => {
    const f = createSpanFactory();
    const root = f.server("legacy");
    const child = f.server("modern", { parent: f.internal("legacy", { parent: root }) });
    const parent = f.internal("legacy", { parent: root, spanId: child.parentSpanId! });
    const map = buildGraphFromSpans([root, parent, child]);
    expect(edgeIds(map)).toContain("service:legacy->service:modern");
  });

  it("handles a 100k-span trace with a bounded store", () => {
    const f = createSpanFactory();
    const root = f.server("fan");
    const spans: Span[] = [root];
    for (let i = 0; i < 50_000; i++) {
      const c = f.client("fan", { parent: root, attrs: { "http.request.method": "GET", "server.address": "worker" } });
      spans.push(c, f.server("worker", { parent: c }));
    }
    const acc = new GraphAccumulator();
    const store = new PairingStore({ waitMs: 10_000, maxItems: 10_000 });
    for (const s of spans) store.addSpan(s, 0, acc);
    expect(store.pending).toBe(0);
    expect([...acc.edges.values()].find((r) => r.target === "service:worker")!.calls).toBe(50_000);
    // Servers first (worst case): the store caps at max items and counts the rest.
    const acc2 = new GraphAccumulator();
    const store2 = new PairingStore({ waitMs: 10_000, maxItems: 10_000 });
    const servers = spans.filter((s) => s.kind === 2 && s.parentSpanId !== null);
    for (const s of servers) store2.addSpan(s, 0, acc2);
    expect(store2.pending).toBe(10_000);
    expect(store2.totals.dropped).toBe(40_000);
  });
});
