// A stand-in layout thread for layout-service.test.ts: places the nodes in a column at once.
import { parentPort } from "node:worker_threads";

parentPort.on("message", (job) => {
  parentPort.postMessage({ id: job.id, positions: job.ids.map((id, i) => [id, { x: 0, y: i * 80 }]) });
});
