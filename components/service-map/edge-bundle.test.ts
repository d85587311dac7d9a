import { describe, expect, it } from "vitest";
import type { ServiceMapResponse } from "@/lib/api-types";
import { buildBaseFlow, decorateFlow } from "./build-flow";
import { bundlePaths } from "./edge-bundle";
import { prepareMap } from "./prepare-map";

const stats = (rps: number) => ({ requests: rps * 60, errors: 0, errorRate: 0, rps, p50Ms: 1, p95Ms: 2, p99Ms: 3 });
const node = (n: string) => ({ id: `service:${n}`, kind: "service", name: n, stats: stats(1) });
const edge = (a: string, b: string) => ({
  id: `service:${a}->service:${b}`,
  source: `service:${a}`,
  target: `service:${b}`,
  stats: stats(1),
});
const res = {
  nodes: ["a", "b", "c", "d"].map(node),
  edges: [edge("a", "b"), edge("a", "c"), edge("a", "d"), edge("b", "c")],
} as ServiceMapResponse;
const positions = new Map(["a", "b", "c", "d"].map((n, i) => [`service:${n}`, { x: i * 300, y: i * 50 }]));
/** A straight "bezier" from the source's point to the target's, ending horizontally as xyflow's do. */
const geometry = (source: string, target: string): [string] | null => {
  if (target === "service:d") return null; // not placed
  const s = positions.get(source)!;
  const t = positions.get(target)!;
  return [`M${s.x},${s.y} C${s.x + 50},${s.y} ${t.x - 50},${t.y} ${t.x},${t.y}`];
};

describe("bundlePaths", () => {
  const base = buildBaseFlow(prepareMap(res, { search: "", groupBy: "none", services: [] }), positions, "");

  it("draws edges of one look as one path, the selected edge apart in the accent colour, and leaves out unplaced ones", () => {
    const flow = decorateFlow(base, { selectedNode: null, selectedEdge: "service:b->service:c" });
    const paths = bundlePaths(flow.edges, geometry);
    const lines = paths.filter((p) => p.className.startsWith("line"));
    expect(lines).toHaveLength(2);
    const [plain, selected] = lines;
    expect(plain!.stroke).toBe("var(--edge)");
    expect(plain!.d).toBe("M0,0 C50,0 250,50 300,50M0,0 C50,0 550,100 600,100");
    expect(selected!.stroke).toBe("var(--accent)");
    expect(selected!.className).toContain("selected");
    expect(selected!.width).toBe(plain!.width + 1.5);
    expect(selected!.d).toBe("M300,50 C350,50 550,100 600,100");
  });

  it("ends each edge with an arrow head pointing along its last stretch, at its target", () => {
    const paths = bundlePaths(base.edges, geometry);
    const arrows = paths.filter((p) => p.className.startsWith("arrow"));
    expect(arrows).toHaveLength(1);
    const heads = arrows[0]!.d.split("Z").filter(Boolean);
    expect(heads).toHaveLength(3);
    // The first head: tip at b (300, 50), base to its left (the edge comes in from the left).
    const [tip, left, right] = heads[0]!
      .slice(1)
      .split("L")
      .map((p) => p.split(",").map(Number) as [number, number]);
    expect(tip).toEqual([300, 50]);
    expect(left![0]).toBeLessThan(300);
    expect(right![0]).toBe(left![0]);
    expect(Math.abs(left![1] - 50)).toBeCloseTo(Math.abs(right![1] - 50), 5);
  });
});
