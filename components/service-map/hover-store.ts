"use client";
import { useSyncExternalStore } from "react";
import type { TooltipState } from "./map-tooltip";

/** What the pointer is over on the map: a node (its edges light up) or one edge, and the tooltip. */
export interface HoverState {
  node: string | null;
  edge: string | null;
  tooltip: TooltipState | null;
}

const EMPTY: HoverState = { node: null, edge: null, tooltip: null };

/**
 * Hover lives outside React Flow's nodes and edges: a hover that replaced the edges array made
 * xyflow re-check all 1,241 edges and re-adopt all 301 nodes of a big map (0.4-0.6 s a hover).
 * The few components that draw hover (a style rule, labels, the tooltip) subscribe here.
 */
export class HoverStore {
  private state: HoverState = EMPTY;
  private listeners = new Set<() => void>();
  private quietUntil = 0;
  readonly subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  };
  readonly get = () => this.state;
  /** Sets the hover, unless a quiet period runs (see `quiet`). */
  set(next: HoverState, now = performance.now()): void {
    if (now < this.quietUntil && (next.node || next.edge)) return;
    if (next.node === this.state.node && next.edge === this.state.edge && next.tooltip === this.state.tooltip) return;
    this.state = next;
    for (const fn of this.listeners) fn();
  }
  clear(): void {
    if (this.state !== EMPTY) this.set(EMPTY);
  }
  /**
   * Clears the hover and ignores new hovers for `ms`: after a click opens the panel (which says
   * more than the card), the nodes the selection's pan slides under the pointer raise no card.
   */
  quiet(ms: number, now = performance.now()): void {
    this.clear();
    this.quietUntil = now + ms;
  }
}

export function useHover(store: HoverStore): HoverState {
  return useSyncExternalStore(store.subscribe, store.get, () => EMPTY);
}
