import { afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, type RunningServer, type StartOptions } from "./start-server";

/**
 * Servers started, stopped, killed and started again on data directories that outlive them
 * (restart and kill trials). Every server still running is stopped and every directory removed
 * after the test file, whatever its tests did.
 */
export function trackServerRuns(dirPrefix: string) {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.stop().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return {
    /** A new empty data directory, removed after the file. */
    createDataDir(): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), `cartograph-${dirPrefix}-`));
      dirs.push(dir);
      return dir;
    },
    /** startServer, with the server stopped after the file if the test left it running. */
    async start(opts: StartOptions): Promise<RunningServer> {
      const server = await startServer(opts);
      servers.push(server);
      return server;
    },
  };
}

/** `from`/`to` query parameters for the last hour up to a minute ahead (spans just sent are inside). */
export const describeLastHour = () => `from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`;
