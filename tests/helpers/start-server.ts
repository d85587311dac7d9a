import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export async function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  /** http://127.0.0.1:<api port> */
  baseUrl: string;
  /** http://127.0.0.1:<otlp http port> */
  otlpHttpUrl: string;
  /** 127.0.0.1:<grpc port> */
  grpcAddress: string;
  /** http://127.0.0.1:<zipkin port> (a free port, never the default 9411) */
  zipkinUrl: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  /** GET JSON from the API; throws with the body on a non-2xx status unless allowed. */
  get<T = any>(pathAndQuery: string): Promise<T>;
  stop(): Promise<void>;
  /** SIGKILL, no cleanup (crash tests). */
  kill(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  dataDir?: string;
  ui?: boolean;
  keepDataDir?: boolean;
  /** How long to wait for /readyz (the UI's first start takes longer). Default 120 s (readiness includes a query thread, slow to load on a busy machine). */
  readyTimeoutMs?: number;
  /**
   * Node arguments that run the server: by default server/main.ts through the TypeScript
   * loader; `["scripts/launch.mjs"]` runs what `npm start` runs (the compiled dist/).
   */
  nodeArgs?: string[];
}

/**
 * Under `npm run test:postgres` (CARTOGRAPH_TEST_POSTGRES_PORT set by its global setup) each data
 * dir gets its own PostgreSQL database as control plane; a restart on the same dir reuses it.
 */
const controlDatabases = new Map<string, string>();
async function controlPlaneEnv(
  dataDir: string,
  env: Record<string, string> | undefined,
): Promise<Record<string, string>> {
  const port = process.env.CARTOGRAPH_TEST_POSTGRES_PORT;
  if (!port || env?.CARTOGRAPH_CONTROL_DATABASE_URL) return {};
  if (!controlDatabases.has(dataDir)) {
    const { createDatabaseOn } = await import("./postgres");
    controlDatabases.set(
      dataDir,
      await createDatabaseOn(Number(port), `cg_${process.pid}_${controlDatabases.size + 1}`),
    );
  }
  return { CARTOGRAPH_CONTROL_DATABASE_URL: controlDatabases.get(dataDir)! };
}

/**
 * Under `npm run test:clickhouse` (CARTOGRAPH_TEST_CLICKHOUSE_URL set by its global setup) each
 * data dir gets its own ClickHouse database as telemetry store; a restart on the same dir reuses
 * it. A test that names CARTOGRAPH_STORE itself keeps its choice.
 */
const telemetryDatabases = new Map<string, string>();
function telemetryStoreEnv(dataDir: string, env: Record<string, string> | undefined): Record<string, string> {
  const url = process.env.CARTOGRAPH_TEST_CLICKHOUSE_URL;
  if (!url || env?.CARTOGRAPH_STORE) return {};
  if (!telemetryDatabases.has(dataDir))
    telemetryDatabases.set(dataDir, `cg_${process.pid}_${telemetryDatabases.size + 1}`);
  return {
    CARTOGRAPH_STORE: "clickhouse",
    CARTOGRAPH_CLICKHOUSE_URL: url,
    CARTOGRAPH_CLICKHOUSE_DATABASE: telemetryDatabases.get(dataDir)!,
    // The graph on ClickHouse comes from the leader's pairing passes, one step behind plus the
    // pairing wait; one-second steps keep it as fresh as the embedded store's streaming graph,
    // which is what the suites' waits are sized for.
    CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS: env?.CARTOGRAPH_CLICKHOUSE_PAIRING_STEP_MS ?? "1000",
  };
}

/**
 * Starts the real server as a child process on free ports with its own data dir. A free port
 * is closed again before the server binds it, so another test file's server (or an outgoing
 * connection) can take it first: a start that fails on a taken port is tried again on others.
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "cartograph-test-"));
  const controlEnv = await controlPlaneEnv(dataDir, opts.env);
  const storeEnv = telemetryStoreEnv(dataDir, opts.env);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(opts, dataDir, controlEnv, storeEnv);
    } catch (e) {
      if (!(e instanceof PortTakenError) || attempt >= 4) throw e;
    }
  }
}

class PortTakenError extends Error {}

async function startOnFreePorts(
  opts: StartOptions,
  dataDir: string,
  controlEnv: Record<string, string>,
  storeEnv: Record<string, string>,
): Promise<RunningServer> {
  const [http, otlp, grpc, zipkin] = [
    await getFreePort(),
    await getFreePort(),
    await getFreePort(),
    await getFreePort(),
  ];
  const nodeArgs = opts.nodeArgs ?? ["--import", "./scripts/runtime/register.mjs", "server/main.ts"];
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: {
      ...process.env,
      CARTOGRAPH_DATA_DIR: dataDir,
      CARTOGRAPH_HOST: "127.0.0.1",
      CARTOGRAPH_HTTP_PORT: String(http),
      CARTOGRAPH_OTLP_HTTP_PORT: String(otlp),
      CARTOGRAPH_OTLP_GRPC_PORT: String(grpc),
      CARTOGRAPH_ZIPKIN_PORT: String(zipkin),
      CARTOGRAPH_UI: opts.ui ? "true" : "false",
      CARTOGRAPH_ROLLUP_FLUSH_MS: "250",
      ...controlEnv,
      ...storeEnv,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const baseUrl = `http://127.0.0.1:${http}`;
  // Ready when /readyz answers 200 (independent of the log level).
  let exitedEarly: number | null | undefined;
  child.once("exit", (code) => (exitedEarly = code));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitedEarly !== undefined) {
      if (/EADDRINUSE|already in use/.test(out))
        throw new PortTakenError(`a port was taken before the server bound it:\n${out}`);
      throw new Error(`server exited with ${exitedEarly} before it was ready:\n${out}`);
    }
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start in ${readyTimeoutMs / 1000} s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (controlEnv.CARTOGRAPH_CONTROL_DATABASE_URL) {
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.json());
    if (ready.leader?.controlPlane !== "postgresql")
      throw new Error(`expected a PostgreSQL control plane, /readyz says ${JSON.stringify(ready.leader)}`);
  }
  if (storeEnv.CARTOGRAPH_STORE) {
    const ready = await fetch(`${baseUrl}/readyz`).then((r) => r.json());
    if (ready.telemetryStore !== "clickhouse")
      throw new Error(`expected the ClickHouse telemetry store, /readyz says ${JSON.stringify(ready.telemetryStore)}`);
  }
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    baseUrl,
    otlpHttpUrl: `http://127.0.0.1:${otlp}`,
    grpcAddress: `127.0.0.1:${grpc}`,
    zipkinUrl: `http://127.0.0.1:${zipkin}`,
    dataDir,
    process: child,
    output: () => out,
    async get(p) {
      const res = await fetch(baseUrl + p);
      const body = await res.json();
      if (!res.ok) {
        // A 5xx is the server's fault: its log holds the cause the answer hides.
        const log = res.status >= 500 ? `\nserver log (end):\n${out.slice(-3000)}` : "";
        throw new Error(`GET ${p} → ${res.status}: ${JSON.stringify(body)}${log}`);
      }
      return body;
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      if (!opts.keepDataDir && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls `fn` until it returns a truthy value (rollups are flushed on an interval). */
export async function eventually<T>(
  fn: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
