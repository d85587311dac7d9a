import { describe, expect, it } from "vitest";
import { buildCouplingOverlay, focusNodeOf } from "./map-overlay";
import type { Finding } from "./types";

const f = (p: Partial<Finding>): Finding => ({
  id: "x",
  rule: "cyclic-dependency",
  severity: "warning",
  level: "medium",
  title: "",
  message: "",
  services: [],
  resources: [],
  evidence: { traceIds: [], calls: 1 },
  firstSeen: "",
  lastSeen: "",
  ...p,
});

describe("buildCouplingOverlay", () => {
  it("marks services, resource nodes and edges with the worst severity", () => {
    const o = buildCouplingOverlay([
      f({
        id: "a",
        services: ["orders", "billing"],
        resources: ["service:orders->service:billing"],
        severity: "warning",
      }),
      f({ id: "b", services: ["orders"], resources: ["database:postgresql://db:5432/shop"], severity: "critical" }),
    ]);
    expect([...o.nodes].sort()).toEqual(["database:postgresql://db:5432/shop", "service:billing", "service:orders"]);
    expect([...o.edges]).toEqual(["service:orders->service:billing"]);
    expect(o.severity.get("service:orders")).toBe("critical");
    expect(o.findings.get("service:orders")).toEqual(["a", "b"]);
  });
  it("leaves out findings below the minimum severity", () => {
    const o = buildCouplingOverlay([f({ services: ["a"], severity: "info" })], "warning");
    expect(o.nodes.size).toBe(0);
  });
  it("focuses the first resource node, else the caller of the first edge, else the first service", () => {
    expect(focusNodeOf(f({ resources: ["service:a->service:b", "database:x"] }))).toBe("database:x");
    expect(focusNodeOf(f({ resources: ["service:a->service:b"] }))).toBe("service:a");
    expect(focusNodeOf(f({ services: ["z"] }))).toBe("service:z");
  });
});
