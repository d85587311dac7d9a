"use client";
import { useEffect, useState } from "react";
import { sendJson } from "@/lib/api-client";
import type { MapLayout, MapLayoutRequest } from "@/lib/contract";
import { computeElkPositions } from "./elk-layout";
import { mergePositions, type Point } from "@/lib/map-layout/positions";
import { loadPositions, savePositions } from "./position-cache";

type LayoutEdge = { id: string; source: string; target: string };

/**
 * Positions from the server (POST /api/v1/service-map/layout: laid out once per topology and
 * cached there, so a browser opening a map someone has seen paints without running ELK); when
 * the server cannot (busy, older version), ELK runs in this browser's worker instead.
 */
async function fetchLayout(
  nodeIds: string[],
  edges: LayoutEdge[],
  groupOf: Map<string, string | null>,
  fresh: boolean,
): Promise<Map<string, Point>> {
  const body: MapLayoutRequest = {
    fresh,
    nodes: nodeIds.map((id) => ({ id, group: groupOf.get(id) ?? null })),
    edges: edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
  };
  try {
    const answer = await sendJson<MapLayout>("POST", "service-map/layout", body);
    const positions = new Map(Object.entries(answer.positions));
    if (nodeIds.every((id) => positions.has(id))) return positions;
  } catch {
    /* fall through to the local layout */
  }
  return computeElkPositions(nodeIds, edges, groupOf);
}

/**
 * Positions for the current nodes. A layout is asked for only when some node has no cached
 * position; otherwise the cached layout is returned at once. `layoutVersion` forces a fresh layout.
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

  useEffect(() => {
    let cancelled = false;
    const cached = loadPositions(mode);
    const missing = nodeIds.filter((id) => !cached.has(id));
    if (missing.length === 0) {
      setPositions(mergePositions(nodeIds, edges, cached, new Map()));
      return;
    }
    // After Relayout (the cache cleared) the server lays the map out anew, not from its cache.
    fetchLayout(nodeIds, edges, groupOf, layoutVersion > 0 && cached.size === 0)
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
