import http from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../server/platform/config";
import { createLogger } from "../../server/platform/logger";
import { startAlerting, type Alerting } from "../../server/alerting";
import { openControlDb, resolveControlDb } from "../../server/store";
import type { AlertDataSource, EdgeRow, Finding, RedRow } from "../../server/alerting";

/** Test kit for alerting integration tests: a fake data source, a webhook sink, a fake clock. */
export function createFakeSource() {
  const state = { services: [] as RedRow[], edges: [] as EdgeRow[], findings: [] as Finding[], fail: "" };
  const guard = () => {
    if (state.fail) throw new Error(state.fail);
  };
  const ds: AlertDataSource = {
    serviceRed: async () => (guard(), state.services),
    operationRed: async () => (guard(), []),
    edgeRed: async () => (guard(), state.edges),
    metricValue: async () => (guard(), []),
    violations: async () => (guard(), state.findings),
    exampleTraces: async () => ["4bf92f3577b34da6a3ce929d0e0e4736"],
  };
  const setErrorRate = (service: string, rate: number) => {
    state.services = [{ service, requests: 100, errors: Math.round(rate * 100), p50Ms: 5, p95Ms: 20, p99Ms: 40 }];
  };
  return { ds, state, setErrorRate };
}

export interface Delivery {
  path: string;
  body: any;
  at: number;
}

/** node:http receiver on 127.0.0.1; `respond` decides the status per request. */
export async function startSink(
  respond: (n: number, req: http.IncomingMessage) => number | { status: number; location: string } = () => 200,
) {
  const deliveries: Delivery[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const r = respond(n++, req);
      const text = Buffer.concat(chunks).toString("utf8");
      if (typeof r === "number" && r >= 200 && r < 300)
        deliveries.push({ path: req.url ?? "", body: text ? JSON.parse(text) : null, at: Date.now() });
      if (typeof r === "number") res.writeHead(r).end();
      else res.writeHead(r.status, { location: r.location }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    deliveries,
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function createClock(start = Date.parse("2026-11-25T10:00:00Z")) {
  let t = start;
  return { now: () => t, set: (v: number) => (t = v), advance: (ms: number) => (t += ms) };
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "cartograph-alerting-"));
}

/**
 * Alerting on a control plane: SQLite in `dataDir`, or the database that
 * `env.CARTOGRAPH_CONTROL_DATABASE_URL` names (PostgreSQL). `stop()` also closes the database.
 */
export async function openAlerting(
  dataDir: string,
  ds: AlertDataSource,
  now: () => number,
  env: Record<string, string> = {},
): Promise<Alerting> {
  const config = loadConfig({
    CARTOGRAPH_DATA_DIR: dataDir,
    CARTOGRAPH_WEBHOOK_ALLOW: "127.0.0.1/32",
    CARTOGRAPH_PUBLIC_URL: "http://cartograph.test",
    ...env,
  });
  const db = await openControlDb(resolveControlDb(dataDir, config.CARTOGRAPH_CONTROL_DATABASE_URL));
  const a = startAlerting({ config, log: createLogger("error"), now, dataSource: ds, autoStart: false, db });
  return {
    ...a,
    async stop() {
      await a.stop();
      await db.$disconnect();
    },
  };
}
