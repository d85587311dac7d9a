// A stand-in query thread for query-pool.test.ts: answers at once, except a path containing
// "spin", which never returns (a runaway query), and "crash", which exits the thread.
import { parentPort } from "node:worker_threads";

parentPort.on("message", (m) => {
  if (m.kind === "http" && m.pathAndQuery.includes("spin")) for (;;);
  if (m.kind === "http" && m.pathAndQuery.includes("crash")) process.exit(3);
  if (m.kind === "alert") return parentPort.postMessage({ id: m.id, value: [{ service: "s", requests: 1 }] });
  parentPort.postMessage({ id: m.id, answer: { status: 200, json: JSON.stringify({ path: m.pathAndQuery }) } });
});
parentPort.postMessage({ ready: true });
