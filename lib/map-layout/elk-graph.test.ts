import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { buildElkGraph } from "./elk-graph";

const ids = ["service:a", "service:b", "service:c", "database:x"];
const edges = [
  { id: "a->b", source: "service:a", target: "service:b" },
  { id: "b->c", source: "service:b", target: "service:c" },
  { id: "b->x", source: "service:b", target: "database:x" },
];

describe("buildElkGraph", () => {
  it("is one layered graph without grouping", () => {
    const g = buildElkGraph(ids, edges, new Map());
    expect(g.layoutOptions!["elk.algorithm"]).toBe("layered");
    expect(g.children!.map((c) => c.id)).toEqual(["database:x", "service:a", "service:b", "service:c"]);
    expect(g.edges).toHaveLength(3);
  });

  it("packs groups as boxes and keeps only intra-group edges inside each", async () => {
    const groups = new Map<string, string | null>([
      ["service:a", "web"],
      ["service:b", "shop"],
      ["service:c", "shop"],
      ["database:x", null],
    ]);
    const g = buildElkGraph(ids, edges, groups);
    expect(g.layoutOptions!["elk.algorithm"]).toBe("rectpacking");
    const shop = g.children!.find((c) => c.id === "group:shop")!;
    expect(shop.children!.map((c) => c.id)).toEqual(["service:b", "service:c"]);
    expect(shop.edges!.map((e) => e.id)).toEqual(["b->c"]);
    // The real ELK accepts it and places every node.
    const out = await new ELK().layout(g);
    const leaves = out.children!.flatMap((b) => b.children ?? []);
    expect(leaves).toHaveLength(4);
    expect(leaves.every((n) => typeof n.x === "number")).toBe(true);
  });
});
