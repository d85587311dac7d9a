"use client";
import type { ElkNode } from "elkjs/lib/elk-api";
import { buildElkGraph, collectElkPositions, type LayoutEdge } from "@/lib/map-layout/elk-graph";
import type { Point } from "@/lib/map-layout/positions";
type ElkInstance = { layout: (graph: ElkNode) => Promise<ElkNode> };
let elk: Promise<ElkInstance> | null = null;

/**
 * ELK runs in a Web Worker (public/elk-worker.min.js, copied from elkjs/lib) so laying out
 * 300 services never freezes the page; the API module and the worker load on first use only
 * (the server lays maps out: this runs when it cannot).
 */
function getElk(): Promise<ElkInstance> {
  if (!elk) {
    elk = import("elkjs/lib/elk-api").then((m) => {
      const ELK = (m as unknown as { default: new (o: object) => ElkInstance }).default;
      return new ELK({ workerUrl: "/elk-worker.min.js" });
    });
  }
  return elk;
}

/** Runs ELK in its worker; returns absolute top-left positions per node id. */
export async function computeElkPositions(
  nodeIds: string[],
  edges: LayoutEdge[],
  groupOf: Map<string, string | null>,
): Promise<Map<string, Point>> {
  return collectElkPositions(await (await getElk()).layout(buildElkGraph(nodeIds, edges, groupOf)));
}
