import { describe, expect, it } from "vitest";
import { LAYER_GAP, NODE_HEIGHT, NODE_WIDTH, computeGroupBoxes, mergePositions } from "./positions";

describe("mergePositions", () => {
  it("uses the computed layout when nothing is cached", () => {
    const computed = new Map([
      ["a", { x: 0, y: 0 }],
      ["b", { x: 300, y: 0 }],
    ]);
    expect(mergePositions(["a", "b"], [], new Map(), computed)).toEqual(computed);
  });

  it("keeps cached nodes in place and puts a new callee right of its caller", () => {
    const right = NODE_WIDTH + LAYER_GAP;
    const cached = new Map([
      ["a", { x: 0, y: 0 }],
      ["b", { x: right, y: 0 }],
    ]);
    const computed = new Map([
      ["a", { x: 999, y: 999 }],
      ["b", { x: 5, y: 5 }],
      ["c", { x: 1, y: 1 }],
    ]);
    const out = mergePositions(["a", "b", "c"], [{ source: "a", target: "c" }], cached, computed);
    expect(out.get("a")).toEqual({ x: 0, y: 0 });
    expect(out.get("b")).toEqual({ x: right, y: 0 });
    const c = out.get("c")!;
    // Right of a is where b sits: c moves down to the first free row.
    expect(c.x).toBe(right);
    expect(c.y).toBeGreaterThanOrEqual(NODE_HEIGHT);
  });

  it("never stacks new nodes on top of each other", () => {
    const cached = new Map([["a", { x: 0, y: 0 }]]);
    const edges = [
      { source: "a", target: "n1" },
      { source: "a", target: "n2" },
      { source: "a", target: "n3" },
    ];
    const out = mergePositions(["a", "n1", "n2", "n3"], edges, cached, new Map());
    const ys = ["n1", "n2", "n3"].map((id) => out.get(id)!.y);
    expect(new Set(ys).size).toBe(3);
  });
});

describe("computeGroupBoxes", () => {
  it("wraps each group's nodes", () => {
    const pos = new Map([
      ["a", { x: 0, y: 0 }],
      ["b", { x: 300, y: 100 }],
      ["c", { x: 0, y: 500 }],
    ]);
    const boxes = computeGroupBoxes(
      pos,
      new Map([
        ["a", "shop"],
        ["b", "shop"],
        ["c", null],
      ]),
    );
    expect(boxes).toHaveLength(1);
    const b = boxes[0]!;
    expect(b.x).toBeLessThan(0);
    expect(b.x + b.width).toBeGreaterThan(300 + NODE_WIDTH);
    expect(b.y + b.height).toBeGreaterThan(100 + NODE_HEIGHT);
  });
});
