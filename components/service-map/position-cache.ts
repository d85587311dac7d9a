"use client";
import type { Point } from "@/lib/map-layout/positions";

/**
 * Positions by node id, one map per grouping mode, kept for the tab's life (sessionStorage),
 * so refreshes, time-range changes and page reloads never reshuffle the map.
 */
const memory = new Map<string, Map<string, Point>>();
const KEY = (mode: string) => `cartograph-map-positions:${mode}`;

export function loadPositions(mode: string): Map<string, Point> {
  const hit = memory.get(mode);
  if (hit) return hit;
  let m = new Map<string, Point>();
  try {
    const raw = sessionStorage.getItem(KEY(mode));
    if (raw) m = new Map(Object.entries(JSON.parse(raw) as Record<string, Point>));
  } catch {
    /* unavailable or corrupt storage: start fresh */
  }
  memory.set(mode, m);
  return m;
}

export function savePositions(mode: string, positions: Map<string, Point>): void {
  const m = loadPositions(mode);
  for (const [id, p] of positions) m.set(id, p);
  try {
    sessionStorage.setItem(KEY(mode), JSON.stringify(Object.fromEntries(m)));
  } catch {
    /* storage full or disabled: the in-memory copy still keeps the layout stable */
  }
}

export function clearPositions(mode: string): void {
  memory.delete(mode);
  try {
    sessionStorage.removeItem(KEY(mode));
  } catch {
    /* ignore */
  }
}
