import { describe, expect, it } from "vitest";
import { NODE_HEIGHT, NODE_WIDTH } from "../../../lib/map-layout/positions";
import { describeTopology, LayoutCache } from "./layout-cache";

const node = (id: string, group: string | null = null) => ({ id, group });
const edge = (source: string, target: string) => ({ id: `${source}->${target}`, source, target });

describe("describeTopology", () => {
  it("keys a map by its nodes, groups and calls, whatever their order", () => {
    const a = describeTopology({ nodes: [node("a"), node("b")], edges: [edge("a", "b")] });
    const b = describeTopology({ nodes: [node("b"), node("a")], edges: [edge("a", "b")] });
    expect(a.key).toBe(b.key);
    expect(describeTopology({ nodes: [node("a"), node("b")], edges: [edge("b", "a")] }).key).not.toBe(a.key);
    expect(describeTopology({ nodes: [node("a", "g"), node("b")], edges: [edge("a", "b")] }).key).not.toBe(a.key);
  });

  it("leaves out edges to nodes not in the request", () => {
    const t = describeTopology({ nodes: [node("a")], edges: [edge("a", "zz")] });
    expect(t.edges).toEqual([]);
  });
});

describe("LayoutCache", () => {
  const ids = Array.from({ length: 10 }, (_, i) => `service:s${i}`);
  const base = describeTopology({ nodes: ids.map((id) => node(id)), edges: [edge(ids[0]!, ids[1]!)] });
  const placed = new Map(ids.map((id, i) => [id, { x: 0, y: i * 80 }]));

  it("extends an earlier layout of most nodes: they keep their places, a new one overlaps none", () => {
    const cache = new LayoutCache();
    cache.set(base, placed);
    const grown = describeTopology({
      nodes: [...ids, "service:new"].map((id) => node(id)),
      edges: [edge(ids[0]!, ids[1]!), edge(ids[3]!, "service:new")],
    });
    const out = cache.extend(grown)!;
    for (const id of ids) expect(out.get(id)).toEqual(placed.get(id));
    const fresh = out.get("service:new")!;
    expect(fresh.x).toBeGreaterThan(placed.get(ids[3]!)!.x); // beside its caller, one layer right
    for (const id of ids) {
      const p = out.get(id)!;
      expect(Math.abs(p.x - fresh.x) >= NODE_WIDTH || Math.abs(p.y - fresh.y) >= NODE_HEIGHT).toBe(true);
    }
  });

  it("does not extend a layout that shares too few nodes, or puts them in other groups", () => {
    const cache = new LayoutCache();
    cache.set(base, placed);
    const other = describeTopology({ nodes: ["service:s0", "x1", "x2", "x3"].map((id) => node(id)), edges: [] });
    expect(cache.extend(other)).toBeNull();
    const regrouped = describeTopology({ nodes: ids.map((id) => node(id, "team")), edges: [] });
    expect(cache.extend(regrouped)).toBeNull();
  });

  it("forgets the least recently used topology past its capacity", () => {
    const cache = new LayoutCache(2);
    const t = (n: string) => describeTopology({ nodes: [node(n)], edges: [] });
    cache.set(t("a"), new Map([["a", { x: 0, y: 0 }]]));
    cache.set(t("b"), new Map([["b", { x: 0, y: 0 }]]));
    expect(cache.get(t("a").key)).not.toBeNull(); // a is now the most recent
    cache.set(t("c"), new Map([["c", { x: 0, y: 0 }]]));
    expect(cache.get(t("b").key)).toBeNull();
    expect(cache.get(t("a").key)).not.toBeNull();
    expect(cache.size).toBe(2);
  });
});
