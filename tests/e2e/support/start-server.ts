/**
 * The e2e flavour of tests/helpers/start-server.ts: the real process with the UI on, after a
 * `next build` when none exists. Used by the e2e global setup and the UI bench.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { eventually, startServer } from "../../helpers/start-server";

export interface RunningServer {
  baseUrl: string;
  otlpTracesUrl: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

/** Runs `next build` when no build exists (or `force`); the server refuses to serve the UI without one. */
export async function ensureNextBuild(root: string, force = false): Promise<void> {
  if (!force && existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  await new Promise<void>((resolve, reject) => {
    const p = spawn("npx", ["next", "build"], { cwd: root, stdio: "inherit" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`))));
  });
}

export async function startCartograph(_root: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer({
    ui: true,
    env: { CARTOGRAPH_OTLP_GRPC_PORT: "0", CARTOGRAPH_ROLLUP_FLUSH_MS: "2000", ...env },
    readyTimeoutMs: 240_000,
  });
  return {
    baseUrl: s.baseUrl,
    otlpTracesUrl: `${s.otlpHttpUrl}/v1/traces`,
    dataDir: s.dataDir,
    pid: s.process.pid!,
    stop: () => s.stop(),
  };
}

/** Polls `fn` until it returns a truthy value (aggregates are flushed on an interval). */
export function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  return eventually(fn, timeoutMs, what);
}
