import "server-only";
import { parentPort } from "node:worker_threads";
import { planTick, type TickInput } from "./plan-tick";

/** The alert evaluation thread: plans ticks (tick-thread.ts is its other side). Holds no state between ticks. */
const port = parentPort!;
port.on("message", (m: { id: number; input: TickInput }) => {
  try {
    port.postMessage({ id: m.id, plan: planTick(m.input) });
  } catch (e) {
    port.postMessage({ id: m.id, error: (e as Error).stack ?? String(e) });
  }
});
