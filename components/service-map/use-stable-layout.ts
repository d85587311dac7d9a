"use client";
import { useEffect, useState } from "react";
import { computeElkPositions, warmElk } from "./elk-layout";
import { mergePositions, type Point } from "./layout-positions";
import { loadPositions, savePositions } from "./position-cache";

/**
 * Positions for the current nodes. ELK runs only when some node has no cached position;
 * otherwise the cached layout is returned at once. `layoutVersion` forces a fresh layout.
 */
export function useStableLayout(
  nodeIds: string[],
  edges: Array<{ id: string; source: string; target: string }>,
  groupOf: Map<string, string | null>,
  mode: string,
  layoutVersion: number,
) {
  const [positions, setPositions] = useState<Map<string, Point> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const signature = `${mode}|${layoutVersion}|${[...nodeIds].sort().join(",")}`;
  useEffect(warmElk, []);

  useEffect(() => {
    let cancelled = false;
    const cached = loadPositions(mode);
    const missing = nodeIds.filter((id) => !cached.has(id));
    if (missing.length === 0) {
      setPositions(mergePositions(nodeIds, edges, cached, new Map()));
      return;
    }
    computeElkPositions(nodeIds, edges, groupOf)
      .then((computed) => {
        if (cancelled) return;
        const merged = mergePositions(nodeIds, edges, cached, computed);
        savePositions(mode, merged);
        performance.mark("cartograph:map-layout");
        setPositions(merged);
        setError(null);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(`Layout failed: ${(e as Error).message}`);
      });
    return () => {
      cancelled = true;
    };
    // The signature captures nodes, mode and version; edges and groups change with them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [signature]);

  // Positions computed for an earlier node set (e.g. before the data arrived) are not shown:
  // a node without a place would be drawn at the origin.
  const complete = positions !== null && nodeIds.every((id) => positions.has(id));
  return { positions: complete ? positions : null, error };
}
