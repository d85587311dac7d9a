/**
 * Node placement that stays put: positions are cached by node id (per grouping mode), ELK
 * places the graph once, and later only nodes without a cached position are placed, next to
 * a neighbour that already has one. Pure functions, so the rules are unit-tested.
 */

export interface Point {
  x: number;
  y: number;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 46;
/** Room between layers for an edge label (rate · errors · p95). */
export const LAYER_GAP = 190;
const ROW_GAP = 22;

function overlaps(p: Point, taken: Point[]): boolean {
  return taken.some((q) => Math.abs(q.x - p.x) < NODE_WIDTH + 10 && Math.abs(q.y - p.y) < NODE_HEIGHT + 10);
}

/** First free slot at or below `p`, stepping one row at a time. */
export function findFreeSlot(p: Point, taken: Point[]): Point {
  let y = p.y;
  for (let i = 0; i < 2000; i++, y += NODE_HEIGHT + ROW_GAP) {
    const c = { x: p.x, y };
    if (!overlaps(c, taken)) return c;
  }
  return { x: p.x, y };
}

/**
 * Positions for every node id. Cached nodes keep their place. A new node goes one layer to the
 * right of a cached caller (or left of a cached callee), else to its ELK position, shifted down
 * until it overlaps nothing.
 */
export function mergePositions(
  ids: string[],
  edges: Array<{ source: string; target: string }>,
  cached: Map<string, Point>,
  computed: Map<string, Point>,
): Map<string, Point> {
  const out = new Map<string, Point>();
  for (const id of ids) {
    const c = cached.get(id);
    if (c) out.set(id, c);
  }
  if (out.size === 0) {
    for (const id of ids) out.set(id, computed.get(id) ?? { x: 0, y: 0 });
    return out;
  }
  const taken = [...out.values()];
  for (const id of [...ids].sort()) {
    if (out.has(id)) continue;
    const caller = edges.find((e) => e.target === id && out.has(e.source));
    const callee = caller ? undefined : edges.find((e) => e.source === id && out.has(e.target));
    let want: Point;
    if (caller) {
      const p = out.get(caller.source)!;
      want = { x: p.x + NODE_WIDTH + LAYER_GAP, y: p.y };
    } else if (callee) {
      const p = out.get(callee.target)!;
      want = { x: p.x - NODE_WIDTH - LAYER_GAP, y: p.y };
    } else {
      const maxY = Math.max(...taken.map((t) => t.y));
      want = computed.get(id) ?? { x: 0, y: maxY + NODE_HEIGHT + ROW_GAP };
    }
    const slot = findFreeSlot(want, taken);
    out.set(id, slot);
    taken.push(slot);
  }
  return out;
}

export interface GroupBox {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

const GROUP_PAD = 24;

/** A box around each group's nodes (absolute coordinates), with room for the label on top. */
export function computeGroupBoxes(positions: Map<string, Point>, groupOf: Map<string, string | null>): GroupBox[] {
  const acc = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
  for (const [id, p] of positions) {
    const g = groupOf.get(id);
    if (!g) continue;
    const b = acc.get(g) ?? { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    b.x0 = Math.min(b.x0, p.x);
    b.y0 = Math.min(b.y0, p.y);
    b.x1 = Math.max(b.x1, p.x + NODE_WIDTH);
    b.y1 = Math.max(b.y1, p.y + NODE_HEIGHT);
    acc.set(g, b);
  }
  return [...acc.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([g, b]) => ({
      id: `group:${g}`,
      label: g,
      x: b.x0 - GROUP_PAD,
      y: b.y0 - GROUP_PAD - 14,
      width: b.x1 - b.x0 + GROUP_PAD * 2,
      height: b.y1 - b.y0 + GROUP_PAD * 2 + 14,
    }));
}
