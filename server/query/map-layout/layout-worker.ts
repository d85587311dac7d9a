import "server-only";
import ELK from "elkjs/lib/elk.bundled.js";
import { parentPort } from "node:worker_threads";
import { buildElkGraph, collectElkPositions, type LayoutEdge } from "../../../lib/map-layout/elk-graph";

/**
 * The layout thread (layout-service.ts is its other side): ELK's layered layout takes about a
 * second of CPU for 300 services and 1,200 edges, which must never hold the main thread that
 * takes ingest and answers the API.
 */
export interface LayoutJob {
  id: number;
  ids: string[];
  groups: Array<[string, string | null]>;
  edges: LayoutEdge[];
}

const elk = new ELK();
const port = parentPort!;
// ELK's first layout also initialises its runtime: do that now, not for the first user's map.
void elk.layout({ id: "warm-up", children: [{ id: "a", width: 10, height: 10 }] }).catch(() => undefined);
port.on("message", (job: LayoutJob) => {
  elk
    .layout(buildElkGraph(job.ids, job.edges, new Map(job.groups)))
    .then((out) => port.postMessage({ id: job.id, positions: [...collectElkPositions(out)] }))
    .catch((e: Error) => port.postMessage({ id: job.id, error: e.message }));
});
