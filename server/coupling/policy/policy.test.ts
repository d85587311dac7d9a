import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parsePolicyText } from "./parse";
import { analyzeCoupling } from "../analyze";
import { dbUser, NOW, WINDOW } from "../../../tests/fixtures/coupling/builder";

describe("policy file", () => {
  it("reports mistakes with the line of the offending key or value", () => {
    const r = parsePolicyText(
      [
        "version: 1",
        "roles:",
        "  gatewy: [edge]",
        "rules:",
        "  hub-service:",
        "    minCallers: 0",
        "suppressions:",
        "  - rule: hub-service",
        "    reason: known",
      ].join("\n"),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const at = Object.fromEntries(r.errors.map((e) => [e.path, e.line]));
    expect(at["roles.gatewy"]).toBe(3);
    expect(at["rules.hub-service.minCallers"]).toBe(6);
    expect(at["suppressions.0.expires"]).toBe(8);
  });

  it("accepts the shipped example policy", () => {
    const r = parsePolicyText(readFileSync(path.join(__dirname, "../../../cartograph.example.yaml"), "utf8"));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it("reports YAML syntax errors with a line number", () => {
    const r = parsePolicyText("groups:\n  orders: [orders-api\n  billing: [x]\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.line).toBeGreaterThanOrEqual(2);
  });
});

describe("policy applied to findings", () => {
  const pg = { "db.system.name": "postgresql", "server.address": "db", "db.namespace": "shop" };
  const spans = [...dbUser("orders", 20, pg), ...dbUser("billing", 20, pg)];
  const parse = (text: string) => {
    const r = parsePolicyText(text);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.policy;
  };
  it("suppresses a finding until the suppression expires", () => {
    const policy = parse(
      "suppressions:\n  - rule: shared-database\n    services: [orders]\n    reason: migration in progress\n    expires: 2026-12-01\n",
    );
    const during = analyzeCoupling(spans, policy, NOW, WINDOW);
    expect(during.violations).toEqual([]);
    expect(during.suppressed[0]!.reason).toBe("migration in progress");
    const after = analyzeCoupling(spans, policy, Date.parse("2026-12-02T00:00:00Z"), WINDOW);
    expect(after.violations).toHaveLength(1);
  });
  it("applies per-rule severity and enabled settings", () => {
    expect(
      analyzeCoupling(spans, parse("rules:\n  shared-database:\n    severity: critical\n"), NOW, WINDOW).violations[0]!
        .severity,
    ).toBe("critical");
    expect(
      analyzeCoupling(spans, parse("rules:\n  shared-database:\n    enabled: false\n"), NOW, WINDOW).violations,
    ).toEqual([]);
  });
});
