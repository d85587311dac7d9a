"use client";
import { useStore, type ReactFlowState } from "@xyflow/react";
import { useEffect, type RefObject } from "react";

/** Edge labels of small maps show from this zoom up. */
export const LABEL_MIN_ZOOM = 0.6;
/** Far out on a big map, edges fade so nodes and their health stay readable (hover brings them back). */
export const FAINT_BELOW_ZOOM = 0.35;
/** Semantic zoom: zoomed far out, nodes draw only a big name so it stays legible. */
export const COMPACT_BELOW_ZOOM = 0.55;

/** The zoom bands in force, as the space-separated words of the canvas's `data-zoom`. */
export function describeZoomBands(zoom: number): string {
  const bands: string[] = [];
  if (zoom < FAINT_BELOW_ZOOM) bands.push("far");
  if (zoom < COMPACT_BELOW_ZOOM) bands.push("compact");
  if (zoom >= LABEL_MIN_ZOOM) bands.push("labels");
  return bands.join(" ");
}

const selectBands = (s: ReactFlowState) => describeZoomBands(s.transform[2]);

/**
 * Writes the zoom bands on the canvas element (`data-zoom`), and CSS does the rest: one store
 * subscription for the whole map instead of two per edge and one per node, so a zoom step
 * re-renders no node or edge component.
 */
export function ZoomBands({ target }: { target: RefObject<HTMLElement | null> }) {
  const bands = useStore(selectBands);
  // A passive effect: the canvas element's ref is attached only after its children's layout
  // effects ran (a layout effect found no element on mount, and small maps lost their labels).
  useEffect(() => {
    target.current?.setAttribute("data-zoom", bands);
  }, [bands, target]);
  return null;
}
