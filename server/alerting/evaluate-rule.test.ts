import { describe, expect, it } from "vitest";
import { evaluateRule } from "./evaluate-rule";
import { ruleDefinitionSchema, type AlertRule } from "./rule-schema";
import type { RedRow } from "./data-source";

const rule = (input: Record<string, unknown>): AlertRule => ({
  id: "r1",
  ...ruleDefinitionSchema.parse({ name: "HighErrors", ...input }),
});
const red = (service: string, requests: number, errors: number, p95Ms: number | null = 10): RedRow => ({
  service,
  requests,
  errors,
  p50Ms: p95Ms,
  p95Ms,
  p99Ms: p95Ms,
});

describe("evaluateRule", () => {
  it("yields one active instance per breaching service when forEach", () => {
    const r = rule({ type: "service", signal: "error_rate", op: ">", threshold: 0.05 });
    const ev = evaluateRule(
      r,
      { kind: "red", rows: [red("a", 100, 10), red("b", 100, 1), red("c", 100, 50), red("d", 0, 0)] },
      1000,
    );
    expect(ev.status).toBe("ok");
    if (ev.status !== "ok") return;
    expect(ev.samples.filter((s) => s.active).map((s) => s.labels.service)).toEqual(["a", "c"]);
    expect(ev.samples.find((s) => s.labels.service === "a")!.value).toBeCloseTo(0.1);
    expect(ev.samples[0]!.labels.alertname).toBe("HighErrors");
  });

  it("merges all matching services into one instance without forEach", () => {
    const r = rule({ type: "service", signal: "error_rate", threshold: 0.05, forEach: false, service: "~a|b" });
    const ev = evaluateRule(r, { kind: "red", rows: [red("a", 100, 10), red("b", 100, 0), red("c", 100, 100)] }, 0);
    expect(ev.status === "ok" && ev.samples).toEqual([
      { labels: { alertname: "HighErrors" }, value: 0.05, active: false },
    ]);
  });

  it("reports no-data when nothing matches the selector, and latency thresholds compare milliseconds", () => {
    const r = rule({ type: "service", signal: "latency_p95", threshold: 200, service: "checkout" });
    expect(evaluateRule(r, { kind: "red", rows: [red("other", 10, 0)] }, 0).status).toBe("no-data");
    const ev = evaluateRule(r, { kind: "red", rows: [red("checkout", 10, 0, 250)] }, 0);
    expect(ev.status === "ok" && ev.samples[0]!.active).toBe(true);
  });

  it("fails the evaluation above the instance limit instead of producing a storm", () => {
    const r = rule({ type: "service", signal: "request_rate", threshold: 0, limit: 2 });
    const ev = evaluateRule(r, { kind: "red", rows: [red("a", 10, 0), red("b", 10, 0), red("c", 10, 0)] }, 0);
    expect(ev.status).toBe("error");
  });

  it("flags absent services for no-data rules", () => {
    const named = rule({ type: "no-data", service: "billing" });
    const ev = evaluateRule(named, { kind: "red", rows: [red("a", 10, 0)] }, 0);
    expect(ev.status === "ok" && ev.samples).toEqual([
      { labels: { alertname: "HighErrors", service: "billing" }, value: 0, active: true },
    ]);
    const all = evaluateRule(
      rule({ type: "no-data", service: "*" }),
      { kind: "red", rows: [red("a", 10, 0), red("b", 0, 0)] },
      0,
    );
    expect(all.status === "ok" && all.samples.filter((s) => s.active).map((s) => s.labels.service)).toEqual(["b"]);
  });

  it("alerts on edges absent from the baseline and on findings at or above a severity", () => {
    const e = (s: string, t: string) => ({
      source: `service:${s}`,
      target: `service:${t}`,
      sourceName: s,
      targetName: t,
      requests: 5,
      errors: 0,
      p50Ms: 1,
      p95Ms: 1,
      p99Ms: 1,
    });
    const ev = evaluateRule(
      rule({ type: "new-edge" }),
      { kind: "edges", rows: [e("a", "b"), e("a", "c")], baseline: [e("a", "b")] },
      0,
    );
    expect(ev.status === "ok" && ev.samples.map((s) => s.labels.target)).toEqual(["c"]);
    const f = (id: string, severity: "info" | "warning" | "critical") => ({
      id,
      rule: "shared-database",
      severity,
      title: id,
      services: ["x", "y"],
    });
    const cv = evaluateRule(
      rule({ type: "coupling", minSeverity: "warning" }),
      { kind: "findings", rows: [f("1", "info"), f("2", "critical")] },
      0,
    );
    expect(cv.status === "ok" && cv.samples.map((s) => s.labels.finding_id)).toEqual(["2"]);
  });

  it("expands label templates from series labels and rejects $value in labels", () => {
    const ev = evaluateRule(
      rule({ type: "service", signal: "error_rate", threshold: 0.5, labels: { team: "team-{{ $labels.service }}" } }),
      { kind: "red", rows: [red("a", 1, 1)] },
      0,
    );
    expect(ev.status === "ok" && ev.samples[0]!.labels.team).toBe("team-a");
    const bad = ruleDefinitionSchema.safeParse({
      name: "x",
      type: "service",
      signal: "error_rate",
      threshold: 0.1,
      labels: { v: "{{ $value }}" },
    });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(["labels", "v"]);
  });

  it("turns a failed query into an error evaluation with the reason", () => {
    const ev = evaluateRule(
      rule({ type: "service", signal: "error_rate", threshold: 0.1 }),
      { kind: "error", message: "database is locked" },
      0,
    );
    expect(ev).toMatchObject({ status: "error", reason: "query failed: database is locked" });
  });
});
