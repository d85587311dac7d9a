"use client";
import { ViewportPortal, useReactFlow } from "@xyflow/react";
import { useEffect, useLayoutEffect, useMemo, useRef, useSyncExternalStore, type RefObject } from "react";
import { edgeGeometry } from "./edge-geometry";
import { markerSize } from "./build-flow";
import type { MapFlowEdge } from "./map-edge";

/**
 * Whether the view is moving (a wheel zoom, a drag, an animated pan), set from xyflow's
 * onMoveStart / onMoveEnd. A tiny store, so that only the bundle re-renders when it flips.
 */
export class MovingStore {
  private moving = false;
  private listeners = new Set<() => void>();
  readonly subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  };
  readonly get = () => this.moving;
  set(moving: boolean): void {
    if (moving === this.moving) return;
    this.moving = moving;
    for (const fn of this.listeners) fn();
  }
}

/** Maps with more edges than this draw them as one bundle while the view moves. */
export const BUNDLE_MIN_EDGES = 150;

const STROKES = { ok: "var(--edge)", warning: "var(--warning)", critical: "var(--critical)" } as const;

export interface BundlePath {
  key: string;
  className: string;
  stroke: string;
  width: number;
  d: string;
}

/** xyflow's closed arrow (a marker of `size` px over a 20-unit box), as a triangle ending at (x, y). */
function arrowHead(x: number, y: number, dx: number, dy: number, size: number): string {
  const k = size / 20;
  // Back 5.5 units along the edge and 4.5 across: the marker's triangle and its 1-unit stroke.
  const bx = x - dx * 5.5 * k;
  const by = y - dy * 5.5 * k;
  const px = -dy * 4.5 * k;
  const py = dx * 4.5 * k;
  const f = (v: number) => Math.round(v * 10) / 10;
  return `M${f(x)},${f(y)}L${f(bx + px)},${f(by + py)}L${f(bx - px)},${f(by - py)}Z`;
}

/** End point and direction of the path as edgeGeometry draws it (a bezier into the left side, or a loop). */
function pathEnd(path: string): [x: number, y: number, dx: number, dy: number] {
  const nums = path.match(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)!.map(Number);
  const [cx, cy, x, y] = nums.slice(-4) as [number, number, number, number];
  const len = Math.hypot(x - cx, y - cy) || 1;
  return [x, y, (x - cx) / len, (y - cy) / len];
}

type Geometry = (source: string, target: string) => [path: string, ...unknown[]] | null;

/**
 * The edges grouped by look (colour, width, state: one path per group, subpaths in edge order)
 * and their arrow heads (one filled path per colour and state).
 */
export function bundlePaths(edges: readonly MapFlowEdge[], geometryOf: Geometry): BundlePath[] {
  const groups = new Map<string, BundlePath>();
  const add = (key: string, make: () => Omit<BundlePath, "d" | "key">, d: string) => {
    const g = groups.get(key);
    if (g) g.d += d;
    else groups.set(key, { key, ...make(), d });
  };
  for (const e of edges) {
    const p = e.data?.prepared;
    if (!p) continue;
    const geometry = geometryOf(e.source, e.target);
    if (!geometry) continue;
    const selected = !!e.selected;
    const stroke = selected ? "var(--accent)" : p.change === "added" ? "var(--ok)" : STROKES[p.severity];
    const width = selected ? p.width + 1.5 : p.width;
    const states = [
      selected ? "selected" : "",
      e.data!.dimmed ? "dimmed" : "",
      e.data!.showLabel ? "" : "faint",
      p.edge.protocol === "messaging" ? "messaging" : "",
    ]
      .filter(Boolean)
      .join(" ");
    add(`${stroke}|${width}|${states}`, () => ({ className: `line ${states}`, stroke, width }), geometry[0]);
    const [x, y, dx, dy] = pathEnd(geometry[0]);
    add(
      `arrow|${stroke}|${states}`,
      () => ({ className: `arrow ${states}`, stroke, width: 0 }),
      arrowHead(x, y, dx, dy, markerSize(p.width)),
    );
  }
  return [...groups.values()];
}

/**
 * While a big map's view moves, its edges are drawn here as a few paths (one per colour, width
 * and state) instead of one SVG element per edge: the browser paints a frame of 1,241 edge
 * elements in tens of milliseconds, a few paths in a few. The map's own edges are hidden
 * meanwhile (`data-moving` on the canvas, CSS `content-visibility`) and come back, with their
 * hover, click and focus, as soon as the view rests. Pointer events pass through.
 */
export function EdgeBundle({
  store,
  edges,
  nodes,
  target,
}: {
  store: MovingStore;
  edges: readonly MapFlowEdge[];
  /** The canvas's nodes: a new array when a node moved (the bundle is then drawn again). */
  nodes: readonly unknown[];
  target: RefObject<HTMLElement | null>;
}) {
  const moving = useSyncExternalStore(store.subscribe, store.get, () => false);
  const flow = useReactFlow();
  const big = edges.length > BUNDLE_MIN_EDGES;
  const active = moving && big;
  // Drawn ahead, when the browser is idle after the map changed, so that the first frame of a
  // move only mounts it (building 1,241 edge paths then cost that frame tens of milliseconds).
  const ready = useRef<{ edges: readonly MapFlowEdge[]; nodes: readonly unknown[]; paths: BundlePath[] } | null>(null);
  useEffect(() => {
    if (!big) return;
    const build = () => {
      ready.current = { edges, nodes, paths: bundlePaths(edges, (s, t) => edgeGeometry(flow, s, t)) };
    };
    if (typeof requestIdleCallback === "function") {
      const id = requestIdleCallback(build, { timeout: 2_000 });
      return () => cancelIdleCallback(id);
    }
    const timer = setTimeout(build, 200);
    return () => clearTimeout(timer);
  }, [big, edges, nodes, flow]);
  const paths = useMemo(() => {
    if (!active) return [];
    const r = ready.current;
    if (r && r.edges === edges && r.nodes === nodes) return r.paths;
    return bundlePaths(edges, (source, target) => edgeGeometry(flow, source, target));
  }, [active, edges, nodes, flow]);
  // The map's edges hide in the same commit that draws the bundle, and come back in the one that removes it.
  useLayoutEffect(() => {
    if (!active) return;
    const el = target.current;
    el?.setAttribute("data-moving", "");
    return () => el?.removeAttribute("data-moving");
  }, [active, target]);
  if (!active) return null;
  return (
    <ViewportPortal>
      <svg className="edge-bundle" data-testid="edge-bundle" aria-hidden="true">
        {paths.map((p) => (
          <path
            key={p.key}
            className={p.className}
            d={p.d}
            style={p.width > 0 ? { stroke: p.stroke, strokeWidth: p.width } : { fill: p.stroke }}
          />
        ))}
      </svg>
    </ViewportPortal>
  );
}
