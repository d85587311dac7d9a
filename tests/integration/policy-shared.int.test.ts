import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind } from "../helpers/otel-sender";
import { createDatabaseOn, startPostgres, type TestPostgres } from "../helpers/postgres";

/**
 * The architecture policy lives in the control plane: a PUT through one instance is what another
 * instance on the same PostgreSQL answers on GET and applies to its findings; on the embedded
 * SQLite control plane it survives a restart. The servers run in their own processes with
 * real OTel SDK traffic (billing calls orders), and the policy forbids that dependency.
 */
const FORBID = "dependencies:\n  forbid:\n    - { from: billing, to: orders, reason: events only }\n";

async function sendBillingCallsOrders(server: RunningServer, calls: number) {
  const billing = createServiceTracer("billing", createExporter("http/protobuf", server));
  const orders = createServiceTracer("orders", createExporter("http/protobuf", server));
  for (let i = 0; i < calls; i++) {
    const root = billing.span("POST /invoice", { kind: SpanKind.SERVER });
    const client = billing.span("GET /orders", { kind: SpanKind.CLIENT, parent: root });
    const served = orders.span("GET /orders", { kind: SpanKind.SERVER, parent: client });
    served.end();
    client.end();
    root.end();
  }
  await billing.flush();
  await orders.flush();
  await billing.shutdown();
  await orders.shutdown();
}

const put = (server: RunningServer, yaml: string) =>
  fetch(`${server.baseUrl}/api/v1/policy`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ yaml }),
  });

const forbiddenFindings = async (server: RunningServer) =>
  ((await server.get("/api/v1/violations")).violations as { rule: string; services: string[] }[]).filter(
    (v) => v.rule === "forbidden-dependency",
  );

describe("architecture policy shared through the control plane", () => {
  let postgres: TestPostgres | null = null;
  const servers: RunningServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    // Under `npm run test:postgres` its cluster; otherwise a private one.
    if (!process.env.CARTOGRAPH_TEST_POSTGRES_PORT) postgres = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    for (const s of servers) await s.stop();
    await postgres?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("a PUT on one instance is answered and applied by the other (PostgreSQL)", async () => {
    const url = postgres
      ? await postgres.createDatabase("policy")
      : await createDatabaseOn(Number(process.env.CARTOGRAPH_TEST_POSTGRES_PORT), `policy_${process.pid}`);
    // The policy file named by the config does not exist on either instance.
    const env = { CARTOGRAPH_CONTROL_DATABASE_URL: url, CARTOGRAPH_POLICY_FILE: "./no-such-policy.yaml" };
    servers.push(await startServer({ env }), await startServer({ env }));
    const [first, second] = servers as [RunningServer, RunningServer];
    await sendBillingCallsOrders(second, 20);
    await eventually(async () => (await second.get("/api/v1/violations")).spansScanned >= 60, 30_000, "spans stored");
    expect(await forbiddenFindings(second)).toEqual([]);
    expect((await second.get("/api/v1/policy")).exists).toBe(false);

    const res = await put(first, "# shared\n" + FORBID);
    expect(res.status).toBe(200);
    const got = await second.get("/api/v1/policy");
    expect(got).toMatchObject({ exists: true, valid: true, source: "api" });
    expect(got.yaml).toContain("# shared");
    expect(got.policy.dependencies.forbid).toEqual([expect.objectContaining({ from: "billing", to: "orders" })]);
    const findings = await forbiddenFindings(second);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.services).toEqual(expect.arrayContaining(["billing", "orders"]));

    // And back: the second instance lifts it, the first one's answer follows.
    expect((await put(second, "dependencies:\n  default: allow\n")).status).toBe(200);
    expect((await first.get("/api/v1/policy")).policy.dependencies.forbid).toEqual([]);
    expect(await forbiddenFindings(second)).toEqual([]);
  }, 420_000);

  it("survives a restart on the SQLite control plane", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-policy-restart-"));
    dirs.push(dataDir);
    const env = {
      CARTOGRAPH_CONTROL_DATABASE_URL: `file:${path.join(dataDir, "control.db")}`,
      CARTOGRAPH_POLICY_FILE: path.join(dataDir, "cartograph.yaml"),
    };
    const before = await startServer({ env, dataDir });
    servers.push(before);
    expect((await put(before, FORBID)).status).toBe(200);
    await before.stop();

    const after = await startServer({ env, dataDir });
    servers.push(after);
    expect((await after.get("/api/v1/policy")).policy.dependencies.forbid).toEqual([
      expect.objectContaining({ from: "billing", to: "orders" }),
    ]);
    await sendBillingCallsOrders(after, 20);
    await eventually(async () => (await forbiddenFindings(after)).length === 1, 30_000, "the forbidden dependency");
  }, 420_000);
});
