import { describe, expect, it } from "vitest";
import { planSelectionView, type Box, type Viewport } from "./selection-view";

const node = (x: number, y: number): Box => ({ x, y, width: 180, height: 46 });
const canvas = { width: 1200, height: 700 };
const base = { canvas, panelWidth: 380, minZoom: 0.05, readableZoom: 0.35, margin: 24 };

/** The screen box of a flow box under a viewport. */
const onScreen = (b: Box, v: Viewport) => ({
  x0: b.x * v.zoom + v.x,
  x1: (b.x + b.width) * v.zoom + v.x,
  y0: b.y * v.zoom + v.y,
  y1: (b.y + b.height) * v.zoom + v.y,
});
const leftOfPanel = (b: Box, v: Viewport) => {
  const s = onScreen(b, v);
  return s.x1 <= canvas.width - base.panelWidth && s.x0 >= 0 && s.y0 >= 0 && s.y1 <= canvas.height;
};

describe("planSelectionView", () => {
  it("keeps the view when the node and its neighbours are already beside the panel", () => {
    const v = { x: 0, y: 0, zoom: 1 };
    expect(
      planSelectionView({ ...base, selection: [node(100, 100)], callees: [node(400, 100)], callers: [], viewport: v }),
    ).toBeNull();
  });

  it("pans a node and its callees out from under the panel at the same zoom", () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const sel = node(700, 300);
    const callees = [node(1000, 250), node(1000, 350)];
    const out = planSelectionView({ ...base, selection: [sel], callees, callers: [], viewport: v })!;
    expect(out.zoom).toBe(1);
    for (const b of [sel, ...callees]) expect(leftOfPanel(b, out)).toBe(true);
  });

  it("zooms out as far as needed to show callers too, not past the readable zoom", () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const sel = node(1000, 300);
    const out = planSelectionView({
      ...base,
      selection: [sel],
      callees: [node(1400, 300)],
      callers: [node(400, 300)],
      viewport: v,
    })!;
    expect(out.zoom).toBeLessThan(1);
    expect(out.zoom).toBeGreaterThanOrEqual(0.35);
    for (const b of [sel, node(1400, 300), node(400, 300)]) expect(leftOfPanel(b, out)).toBe(true);
  });

  it("drops far callers first and keeps the node with its callees", () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const sel = node(5000, 300);
    const callees = [node(5400, 300)];
    const out = planSelectionView({ ...base, selection: [sel], callees, callers: [node(0, 300)], viewport: v })!;
    expect(out.zoom).toBe(1);
    for (const b of [sel, ...callees]) expect(leftOfPanel(b, out)).toBe(true);
  });

  it("centres the node alone when even its callees do not fit readably", () => {
    const v = { x: 0, y: 0, zoom: 1 };
    const sel = node(5000, 300);
    const out = planSelectionView({ ...base, selection: [sel], callees: [node(0, 9000)], callers: [], viewport: v })!;
    expect(out.zoom).toBe(1);
    expect(leftOfPanel(sel, out)).toBe(true);
  });

  it("does not zoom in when the user is zoomed out on a big map", () => {
    const v = { x: 0, y: 0, zoom: 0.2 };
    const sel = node(5000, 300);
    const out = planSelectionView({ ...base, selection: [sel], callees: [node(5400, 600)], callers: [], viewport: v })!;
    expect(out.zoom).toBe(0.2);
    expect(leftOfPanel(sel, out)).toBe(true);
    expect(leftOfPanel(node(5400, 600), out)).toBe(true);
  });
});
