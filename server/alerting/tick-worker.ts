import "server-only";
import { parentPort, workerData } from "node:worker_threads";
import { connectControlDb, type ControlDbTarget } from "../store";
import { createLogger } from "../platform/logger";
import { AlertEngine, type TickSettings } from "./engine";
import type { TickRequest } from "./tick-thread";

/**
 * The alert evaluation thread (tick-thread.ts is its other side): it owns a control-plane
 * client and the engine's memory of alert instances; it reads and parses the rules, plans each
 * tick over the query results the main thread gathered, and commits it.
 */
const { control, settings } = workerData as { control: ControlDbTarget; settings: TickSettings };
const db = connectControlDb(control);
const engine = new AlertEngine({ ...settings, db, log: createLogger("info") });
const port = parentPort!;

port.on("message", (m: TickRequest) => {
  void answer(m).then(
    (result) => port.postMessage({ id: m.id, result }),
    (e: Error) => port.postMessage({ id: m.id, error: e.message, name: e.name }),
  );
});

async function answer(m: TickRequest): Promise<unknown> {
  if (m.op === "rules") return engine.readRules();
  if (m.op === "commit") return engine.commitTick(m.now, m.rules, m.results, m.fence);
  engine.reset();
  return null;
}
