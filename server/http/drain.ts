import "server-only";
import type http from "node:http";
import type { Handler } from "./create-app-handler";

/**
 * Graceful stop for the HTTP listeners: counts requests in flight, and on `start` closes the
 * listeners (no new connections, idle keep-alive ones closed), runs `beforeWait` (stop the
 * schedulers), then waits until every request in flight has been answered or `graceMs`
 * passed, whichever is first; what remains after the grace period is cut.
 */
export function createDrain() {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | null = null;

  return {
    draining: () => draining,
    inFlight: () => inFlight,
    track(handler: Handler): Handler {
      return async (req, res) => {
        inFlight++;
        res.once("close", () => {
          inFlight--;
          if (inFlight === 0) idle?.();
        });
        // While draining, answers ask the client to open a new connection (to another instance).
        if (draining) res.setHeader("connection", "close");
        await handler(req, res);
      };
    },
    async start(servers: http.Server[], graceMs: number, beforeWait: () => Promise<void>): Promise<void> {
      draining = true;
      for (const s of servers) {
        s.close();
        s.closeIdleConnections();
      }
      await beforeWait();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(resolve, graceMs).unref();
        });
      }
      for (const s of servers) s.closeAllConnections();
    },
  };
}
