import { describe, expect, it } from "vitest";
import type { ServiceMapResponse } from "@/lib/api-types";
import { FlowReuseCache, buildBaseFlow, decorateFlow, indexEdgesByNode } from "./build-flow";
import { prepareMap } from "./prepare-map";

const stats = (rps: number) => ({ requests: rps * 60, errors: 0, errorRate: 0, rps, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
// Partial nodes and edges: the fields these functions read.
const res = (rps: number) =>
  ({
    nodes: [
      { id: "service:a", kind: "service", name: "a", stats: stats(1) },
      { id: "service:b", kind: "service", name: "b", stats: stats(rps) },
      { id: "service:c", kind: "service", name: "c", stats: stats(1) },
    ],
    edges: [
      { id: "service:a->service:b", source: "service:a", target: "service:b", stats: stats(rps) },
      { id: "service:a->service:c", source: "service:a", target: "service:c", stats: stats(1) },
    ],
  }) as ServiceMapResponse;
const positions = new Map([
  ["service:a", { x: 0, y: 0 }],
  ["service:b", { x: 400, y: 0 }],
  ["service:c", { x: 400, y: 80 }],
]);

describe("buildBaseFlow / decorateFlow", () => {
  it("reuses objects for nodes and edges that did not change between refreshes", () => {
    const cache = new FlowReuseCache();
    const opts = { search: "", groupBy: "none" as const, services: [] };
    const first = buildBaseFlow(prepareMap(res(1), opts), positions, "", cache);
    const second = buildBaseFlow(prepareMap(res(5), opts), positions, "", cache);
    expect(second.nodes[0]).toBe(first.nodes[0]);
    expect(second.nodes[1]).not.toBe(first.nodes[1]);
    expect(second.nodes[2]).toBe(first.nodes[2]);
    expect(second.edges[0]).not.toBe(first.edges[0]);
  });

  it("touches only the selected node and the selected edge", () => {
    const base = buildBaseFlow(prepareMap(res(1), { search: "", groupBy: "none", services: [] }), positions, "");
    const d = decorateFlow(base, { selectedNode: "service:b", selectedEdge: "service:a->service:c" });
    expect(d.nodes[0]).toBe(base.nodes[0]);
    expect(d.nodes[1]!.selected).toBe(true);
    expect(d.nodes[2]).toBe(base.nodes[2]);
    expect(d.edges[0]).toBe(base.edges[0]);
    expect(d.edges[1]!.selected).toBe(true);
  });

  it("indexes each node's edges in both directions, a self-call once", () => {
    const index = indexEdgesByNode([
      { id: "a->b", source: "a", target: "b" },
      { id: "b->c", source: "b", target: "c" },
      { id: "b->b", source: "b", target: "b" },
    ]);
    expect(index.get("b")).toEqual(["a->b", "b->c", "b->b"]);
    expect(index.get("a")).toEqual(["a->b"]);
  });

  it("gives edges the classes their look depends on", () => {
    const base = buildBaseFlow(prepareMap(res(1), { search: "b", groupBy: "none", services: [] }), positions, "b");
    expect(base.edges[0]!.className).toBe("cg-edge");
    expect(base.edges[1]!.className).toBe("cg-edge dimmed");
  });
});
