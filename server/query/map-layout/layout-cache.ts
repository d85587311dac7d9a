import "server-only";
import { createHash } from "node:crypto";
import type { MapLayoutRequest } from "../../../lib/contract";
import { mergePositions, type Point } from "../../../lib/map-layout/positions";

/** What a layout depends on: the nodes, their groups and who calls whom (never the numbers). */
export interface Topology {
  key: string;
  ids: string[];
  groupOf: Map<string, string | null>;
  edges: Array<{ id: string; source: string; target: string }>;
}

export function describeTopology(req: MapLayoutRequest): Topology {
  const groupOf = new Map(req.nodes.map((n) => [n.id, n.group ?? null]));
  const ids = [...groupOf.keys()].sort();
  const edges = req.edges
    .filter((e) => groupOf.has(e.source) && groupOf.has(e.target))
    .sort((a, b) => (a.source + "\u0000" + a.target).localeCompare(b.source + "\u0000" + b.target));
  const h = createHash("sha256");
  for (const id of ids) h.update(`n\u0000${id}\u0000${groupOf.get(id) ?? ""}\u0001`);
  for (const e of edges) h.update(`e\u0000${e.source}\u0000${e.target}\u0001`);
  return { key: h.digest("hex"), ids, groupOf, edges };
}

interface Entry {
  positions: Map<string, Point>;
  groupOf: Map<string, string | null>;
}

/** Share of the requested nodes an earlier layout must hold (same group) to be extended. */
const EXTEND_SHARE = 0.8;

/**
 * The layouts of the last `capacity` topologies (least recently used first out). A topology
 * not seen before but sharing most nodes with one in the cache extends it: the shared nodes
 * keep their places and the new ones go beside a neighbour, so a map where one service
 * appeared neither moves under the user's eyes nor waits for a new layout.
 */
export class LayoutCache {
  private entries = new Map<string, Entry>();
  constructor(private readonly capacity = 32) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Map<string, Point> | null {
    const hit = this.entries.get(key);
    if (!hit) return null;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.positions;
  }

  set(topology: Topology, positions: Map<string, Point>): void {
    this.entries.delete(topology.key);
    this.entries.set(topology.key, { positions, groupOf: topology.groupOf });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Positions extended from the cached layout that shares the most nodes, or null. */
  extend(topology: Topology): Map<string, Point> | null {
    let best: Entry | null = null;
    let bestShared = 0;
    for (const entry of this.entries.values()) {
      let shared = 0;
      for (const id of topology.ids) {
        if (entry.positions.has(id) && entry.groupOf.get(id) === topology.groupOf.get(id)) shared++;
      }
      if (shared > bestShared) [best, bestShared] = [entry, shared];
    }
    if (!best || bestShared < topology.ids.length * EXTEND_SHARE) return null;
    const kept = new Map<string, Point>();
    for (const id of topology.ids) {
      const p = best.positions.get(id);
      if (p && best.groupOf.get(id) === topology.groupOf.get(id)) kept.set(id, p);
    }
    return mergePositions(topology.ids, topology.edges, kept, new Map());
  }
}
