/**
 * GET/PUT /api/v1/policy through the real server: validation with line numbers, the policy kept
 * in the control plane, CARTOGRAPH_POLICY_FILE imported when it changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, type RunningServer } from "../helpers/start-server";

let server: RunningServer;
let file = "";
beforeAll(async () => {
  file = path.join(mkdtempSync(path.join(os.tmpdir(), "cartograph-policy-")), "cartograph.yaml");
  server = await startServer({ env: { CARTOGRAPH_POLICY_FILE: file } });
}, 120_000);
afterAll(async () => server?.stop());

const put = (body: unknown) =>
  fetch(`${server.baseUrl}/api/v1/policy`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("policy API", () => {
  it("rejects a policy with mistakes, naming field and line, and writes nothing", async () => {
    const res = await put({ yaml: "roles:\n  gateway: [edge]\nrules:\n  hub-service:\n    minCallers: -1\n" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid-policy");
    expect(body.error.details.fields).toEqual([
      expect.objectContaining({ path: "rules.hub-service.minCallers", line: 5 }),
    ]);
    expect((await server.get("/api/v1/policy")).exists).toBe(false);
  });

  it("saves a valid policy and serves it back", async () => {
    const res = await put({ yaml: "# team policy\nroles:\n  gateway: [edge]\n" });
    expect(res.status).toBe(200);
    const got = await server.get("/api/v1/policy");
    expect(got.yaml).toContain("# team policy");
    expect(got.policy.roles.gateway).toEqual(["edge"]);
    expect(got).toMatchObject({ valid: true, exists: true, source: "api" });
    const v = await server.get("/api/v1/violations");
    expect(v.violations).toEqual([]);
    expect(v.policy.valid).toBe(true);
  });

  it("imports a hand edit of the policy file into the running server", async () => {
    writeFileSync(file, "# edited by hand\nroles:\n  gateway: [ingress]\n");
    const got = await server.get("/api/v1/policy");
    expect(got).toMatchObject({ source: "file", valid: true });
    expect(got.yaml).toContain("# edited by hand");
    expect(got.policy.roles.gateway).toEqual(["ingress"]);
  });

  it("answers 400 for an unknown rule filter", async () => {
    const res = await fetch(`${server.baseUrl}/api/v1/violations?rule=nope`);
    expect(res.status).toBe(400);
  });
});
