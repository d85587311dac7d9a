/**
 * Starts the real Cartograph process (server/main.ts, UI included) on free ports with a
 * throw-away data directory, and stops it again. Used by the e2e global setup and the UI bench.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface RunningServer {
  baseUrl: string;
  otlpTracesUrl: string;
  dataDir: string;
  pid: number;
  stop(): Promise<void>;
}

export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `next build` when no build exists (or `force`); the server refuses to serve the UI without one. */
export async function ensureNextBuild(root: string, force = false): Promise<void> {
  if (!force && existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  await new Promise<void>((resolve, reject) => {
    const p = spawn("npx", ["next", "build"], { cwd: root, stdio: "inherit" });
    p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build exited with ${code}`))));
  });
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`cartograph exited with ${child.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`cartograph did not become ready in ${timeoutMs} ms:\n${log()}`);
}

export async function startCartograph(root: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const httpPort = await getFreePort();
  const otlpPort = await getFreePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-e2e-"));
  let output = "";
  const child = spawn(process.execPath, ["--import", "./scripts/runtime/register.mjs", "server/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      CARTOGRAPH_DATA_DIR: dataDir,
      CARTOGRAPH_HOST: "127.0.0.1",
      CARTOGRAPH_HTTP_PORT: String(httpPort),
      CARTOGRAPH_OTLP_HTTP_PORT: String(otlpPort),
      CARTOGRAPH_OTLP_GRPC_PORT: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr!.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  await waitForReady(baseUrl, child, 90_000, () => output);
  return {
    baseUrl,
    otlpTracesUrl: `http://127.0.0.1:${otlpPort}/v1/traces`,
    dataDir,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 10_000);
          child.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value (aggregates are flushed on an interval). */
export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}
