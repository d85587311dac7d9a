import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getFreePort } from "./start-server";

/**
 * Loopback ClickHouse for tests: one node, or a two-shard cluster of two processes, each on
 * free ports with its own temp data folder. Uses Debian's clickhouse-server (installed with
 * apt-get when missing and running as root; otherwise the error names the command to run).
 * Every server is killed and its folder removed by stop(), also when start fails half-way.
 */
export interface ClickHouseNode {
  /** http://127.0.0.1:<http port> */
  url: string;
  tcpPort: number;
  process: ChildProcess;
  dir: string;
}

export interface LoopbackClickHouse {
  nodes: ClickHouseNode[];
  /** Name of the cluster in remote_servers (null for a single node). */
  cluster: string | null;
  stop(): Promise<void>;
}

/** Store settings for database `database` on every node of `ch` (its cluster, if any). */
export function storeSettingsFor(ch: LoopbackClickHouse, database: string) {
  return { urls: ch.nodes.map((n) => n.url), database, user: "default", password: "", cluster: ch.cluster };
}

const SYSTEM_CONFIG = "/etc/clickhouse-server/config.xml";
const SYSTEM_USERS = "/etc/clickhouse-server/users.xml";
export const INSTALL_COMMAND = "apt-get update && apt-get install -y clickhouse-server clickhouse-client";
export const TEST_CLUSTER = "cg_test";

function findServerBinary(): string | null {
  for (const p of ["/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse"])
    if (existsSync(p)) return p;
  return null;
}

/** Installs clickhouse-server when it is missing (root only); throws naming the command otherwise. */
export function ensureClickHouseInstalled(): string {
  let bin = findServerBinary();
  if (bin && existsSync(SYSTEM_CONFIG)) return bin;
  if (process.getuid?.() === 0) {
    const r = spawnSync("sh", ["-c", `DEBIAN_FRONTEND=noninteractive ${INSTALL_COMMAND}`], { stdio: "inherit" });
    bin = findServerBinary();
    if (r.status === 0 && bin) return bin;
  }
  throw new Error(`clickhouse-server is not installed; run as root: ${INSTALL_COMMAND}`);
}

function clusterXml(name: string, tcpPorts: number[]): string {
  const shards = tcpPorts
    .map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`)
    .join("");
  return `<?xml version="1.0"?>\n<yandex><clickhouse_remote_servers><${name}>${shards}</${name}></clickhouse_remote_servers></yandex>\n`;
}

async function waitReady(url: string, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let log = "";
  try {
    log = readFileSync(path.join(dir, "err.log"), "utf8").slice(-2000);
  } catch {
    // no log yet
  }
  throw new Error(`clickhouse-server did not answer /ping at ${url} (exit ${child.exitCode}): ${log}`);
}

async function startNode(
  bin: string,
  clusterFile: string | null,
  ports: { http: number; tcp: number; inter: number },
): Promise<ClickHouseNode> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "cartograph-ch-"));
  let config = readFileSync(SYSTEM_CONFIG, "utf8");
  if (clusterFile) config = config.replace("</yandex>", `<include_from>${clusterFile}</include_from></yandex>`);
  writeFileSync(path.join(dir, "config.xml"), config);
  copyFileSync(SYSTEM_USERS, path.join(dir, "users.xml"));
  const args = [
    `--config-file=${path.join(dir, "config.xml")}`,
    "--",
    `--path=${dir}/data/`,
    `--tmp_path=${dir}/tmp/`,
    `--user_files_path=${dir}/user_files/`,
    `--format_schema_path=${dir}/format_schemas/`,
    `--http_port=${ports.http}`,
    `--tcp_port=${ports.tcp}`,
    `--interserver_http_port=${ports.inter}`,
    `--logger.log=${dir}/server.log`,
    `--logger.errorlog=${dir}/err.log`,
    "--logger.level=warning",
  ];
  const child = spawn(bin, args, { stdio: "ignore", detached: false });
  const node: ClickHouseNode = { url: `http://127.0.0.1:${ports.http}`, tcpPort: ports.tcp, process: child, dir };
  try {
    await waitReady(node.url, child, dir, 30_000);
  } catch (err) {
    await stopNode(node);
    throw err;
  }
  return node;
}

/**
 * Kills the server, then removes its folder in a detached `rm -rf` that outlives this process: a
 * node that served a suite holds tens of thousands of part files (84k, 333 MB after two files of
 * the ClickHouse suite; more with inactive parts ClickHouse keeps 8 minutes after a merge), and
 * deleting them took 24-33 s on a loaded machine (minutes on a slower disk), during which the
 * test run could not exit.
 */
async function stopNode(n: ClickHouseNode): Promise<void> {
  if (n.process.exitCode === null && n.process.signalCode === null) {
    const exited = new Promise<void>((r) => n.process.once("exit", () => r()));
    n.process.kill("SIGKILL");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }
  removeInBackground(n.dir);
}

function removeInBackground(dir: string): void {
  try {
    spawn("rm", ["-rf", dir], { detached: true, stdio: "ignore" }).unref();
  } catch {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts `shards` ClickHouse servers (1: a single node, no cluster; 2+: a cluster named TEST_CLUSTER). */
export async function startClickHouse(opts: { shards?: number } = {}): Promise<LoopbackClickHouse> {
  const bin = ensureClickHouseInstalled();
  const shards = opts.shards ?? 1;
  const ports: { http: number; tcp: number; inter: number }[] = [];
  for (let i = 0; i < shards; i++)
    ports.push({ http: await getFreePort(), tcp: await getFreePort(), inter: await getFreePort() });
  let clusterDir: string | null = null;
  let clusterFile: string | null = null;
  if (shards > 1) {
    clusterDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-chc-"));
    clusterFile = path.join(clusterDir, "cluster.xml");
    writeFileSync(
      clusterFile,
      clusterXml(
        TEST_CLUSTER,
        ports.map((p) => p.tcp),
      ),
    );
  }
  const nodes: ClickHouseNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map(stopNode));
    if (clusterDir) rmSync(clusterDir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.allSettled(ports.map((p) => startNode(bin, clusterFile, p)));
    for (const s of started) if (s.status === "fulfilled") nodes.push(s.value);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return { nodes, cluster: shards > 1 ? TEST_CLUSTER : null, stop };
}
