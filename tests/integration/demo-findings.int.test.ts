/**
 * End to end: the real server plus the demo fleet for about a minute. The coupling
 * analysis must report exactly the fleet's deliberate faults (scripts/demo README): the
 * required findings, optionally the finer-grained restatements, and nothing else. The
 * `cartograph check` CLI is then run against the same server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startServer, type RunningServer } from "../helpers/start-server";
import { runDemoFleet, EXPECTED_TOPOLOGY } from "../../scripts/demo";

const run = promisify(execFile);
const RUN_MS = 60_000;

interface Finding {
  id: string;
  rule: string;
  severity: string;
  services: string[];
  resources: string[];
  evidence: { traceIds: string[]; calls: number };
  firstSeen: string;
  lastSeen: string;
  title: string;
  message: string;
}

let server: RunningServer;
let fromMs = 0;
let toMs = 0;
let violations: Finding[] = [];

beforeAll(async () => {
  const policyDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-policy-"));
  server = await startServer({ env: { CARTOGRAPH_POLICY_FILE: path.join(policyDir, "cartograph.yaml") } });
  fromMs = Date.now() - 1000;
  const fleet = await runDemoFleet({
    endpoint: server.otlpHttpUrl,
    durationMs: RUN_MS,
    childOutput: "ignore",
    log: () => {},
  });
  await fleet.stopped;
  await new Promise((r) => setTimeout(r, 3000)); // last exports and the writer's flush
  toMs = Date.now();
  const body = await server.get<{ violations: Finding[] }>(`/api/v1/violations?from=${fromMs}&to=${toMs}`);
  violations = body.violations;
}, 240_000);

afterAll(async () => {
  await server?.stop();
});

const key = (rule: string, services: readonly string[]) => `${rule} ${[...services].sort().join(",")}`;

describe("demo fleet coupling findings", () => {
  it("reports every required deliberate fault", () => {
    const got = new Set(violations.map((v) => key(v.rule, v.services)));
    const missing = EXPECTED_TOPOLOGY.findings.filter((f) => f.required && !got.has(key(f.rule, f.services)));
    expect(
      missing,
      JSON.stringify(
        violations.map((v) => `${v.severity} ${key(v.rule, v.services)}`),
        null,
        1,
      ),
    ).toEqual([]);
  });

  it("reports nothing else (no false alarms)", () => {
    const allowed = new Set(EXPECTED_TOPOLOGY.findings.map((f) => key(f.rule, f.services)));
    const extra = violations
      .filter((v) => !allowed.has(key(v.rule, v.services)))
      .map((v) => `${v.severity} ${v.id}: ${v.title}`);
    expect(extra).toEqual([]);
  });

  it("gives each finding evidence: example traces that exist, calls and times in the window", async () => {
    for (const v of violations) {
      expect(v.evidence.traceIds.length).toBeGreaterThan(0);
      expect(v.evidence.calls).toBeGreaterThan(0);
      expect(Date.parse(v.firstSeen)).toBeGreaterThanOrEqual(fromMs - 1000);
      expect(Date.parse(v.lastSeen)).toBeLessThanOrEqual(toMs + 1000);
      expect(v.services).toEqual([...v.services].sort());
    }
    const trace = await server.get<{ spans: unknown[] }>(`/api/v1/traces/${violations[0]!.evidence.traceIds[0]}`);
    expect(trace.spans.length).toBeGreaterThan(0);
    const db = violations.find((v) => v.rule === "shared-database");
    expect(db?.resources).toContain(EXPECTED_TOPOLOGY.findings[0]!.resources![0]);
  });

  it("cartograph check fails on the findings and reports none new against the same window", async () => {
    const cli = path.resolve(import.meta.dirname, "../../cli/cartograph.mjs");
    const args = [
      "check",
      "--url",
      server.baseUrl,
      "--from",
      String(fromMs),
      "--to",
      String(toMs),
      "--fail-on",
      "warning",
      "--format",
      "json",
    ];
    const failed = await run(process.execPath, [cli, ...args]).then(
      () => null,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failed?.code).toBe(1);
    const report = JSON.parse(failed!.stdout);
    expect(report.violations.length).toBe(violations.length);
    const same = await run(process.execPath, [
      cli,
      ...args,
      "--baseline-from",
      String(fromMs),
      "--baseline-to",
      String(toMs),
    ]);
    expect(JSON.parse(same.stdout).violations).toEqual([]);
    expect(JSON.parse(same.stdout).newEdges).toEqual([]);
    const unreachable = await run(process.execPath, [cli, "check", "--url", "http://127.0.0.1:9"]).then(
      () => null,
      (e: { code: number }) => e,
    );
    expect(unreachable?.code).toBe(2);
  });
});
