import { describe, expect, it } from "vitest";
import type { ServiceMapDiffResponse, ServiceMapResponse } from "@/lib/api-types";
import { computeCompleteness, computeEdgeWidth, formatEdgeLabel, prepareMap } from "./prepare-map";

const stats = (rps: number, errorRate = 0, p95Ms: number | null = 50) => ({
  requests: rps * 60,
  errors: 0,
  errorRate,
  rps,
  p50Ms: 10,
  p95Ms,
  p99Ms: 90,
});

// Partial nodes and edges: the fields prepareMap reads.
const res = {
  nodes: [
    { id: "service:frontend", kind: "service", name: "frontend", health: "ok" },
    { id: "service:checkout", kind: "service", name: "checkout", health: "warning" },
    {
      id: "database:postgresql://db:5432/orders",
      kind: "database",
      name: "orders",
      system: "postgresql",
      host: "db",
      port: 5432,
    },
  ],
  edges: [
    {
      id: "service:frontend->service:checkout",
      source: "service:frontend",
      target: "service:checkout",
      protocol: "grpc",
      health: "critical",
      stats: stats(10, 0.02),
    },
    {
      id: "service:checkout->database:postgresql://db:5432/orders",
      source: "service:checkout",
      target: "database:postgresql://db:5432/orders",
      protocol: "db",
      stats: stats(1),
    },
    { id: "x", source: "service:frontend", target: "service:gone" },
  ],
} as ServiceMapResponse;
const services = [
  {
    name: "frontend",
    namespace: "web",
    environment: "prod",
    requests: 1,
    errors: 0,
    errorRate: 0,
    rps: 1,
    p50Ms: 1,
    p95Ms: 1,
    p99Ms: 1,
    health: "ok" as const,
  },
  {
    name: "checkout",
    namespace: "shop",
    environment: "prod",
    requests: 1,
    errors: 0,
    errorRate: 0,
    rps: 1,
    p50Ms: 1,
    p95Ms: 1,
    p99Ms: 1,
    health: "ok" as const,
  },
];

describe("prepareMap", () => {
  it("drops edges to unknown nodes and sizes edges by traffic", () => {
    const m = prepareMap(res, { search: "", groupBy: "none", services });
    expect(m.edges.map((e) => e.id)).toHaveLength(2);
    expect(m.edges[0]!.width).toBe(8);
    expect(m.edges[1]!.width).toBeLessThan(m.edges[0]!.width);
    // The colour is the health the server sent, not a recomputation from the error rate.
    expect(m.edges[0]!.severity).toBe("critical");
    expect(m.edges[1]!.severity).toBe("ok");
    expect(m.nodes[2]!.sub).toBe("postgresql · db:5432");
    expect(m.nodes[2]!.health).toBe("unknown");
  });

  it("matches search on name and id", () => {
    const m = prepareMap(res, { search: "postgres", groupBy: "none", services });
    expect(m.matches).toEqual(["database:postgresql://db:5432/orders"]);
  });

  it("groups services by namespace and a virtual node with its only caller's group", () => {
    const m = prepareMap(res, { search: "", groupBy: "namespace", services });
    expect(m.nodes.map((n) => n.group)).toEqual(["web", "shop", "shop"]);
    expect(m.groups).toEqual(["shop", "web"]);
  });
});

describe("edge helpers", () => {
  it("labels with rate, errors and p95", () => {
    expect(formatEdgeLabel(stats(2, 0.015, 95))).toBe("2.0/s · 1.5% err · p95 95 ms");
    expect(formatEdgeLabel(stats(2, 0, null))).toBe("2.0/s");
  });
  it("keeps width within 1..8", () => {
    expect(computeEdgeWidth(0, 10)).toBe(1);
    expect(computeEdgeWidth(10, 10)).toBe(8);
    expect(computeEdgeWidth(undefined, 0)).toBe(1);
  });
  it("computes completeness", () => {
    // The server's ratio as it is: the browser never re-derives it from the counts.
    expect(computeCompleteness({ ratio: 0.5 })).toBe(0.5);
    expect(computeCompleteness({ ratio: null })).toBeNull();
    expect(computeCompleteness(undefined)).toBeNull();
  });
});

describe("diff marks", () => {
  it("marks added and changed nodes and edges", () => {
    const m = prepareMap(res, {
      search: "",
      groupBy: "none",
      services,
      diff: {
        window: { fromMs: 60_000, toMs: 120_000 },
        baseline: { fromMs: 0, toMs: 60_000 },
        added: { nodes: [res.nodes[2]!], edges: [res.edges[1]!] },
        removed: { nodes: [], edges: [] },
        changed: [
          {
            id: "service:checkout",
            kind: "node",
            before: { stats: stats(1), health: "ok" },
            after: { stats: stats(1, 0, 90), health: "ok" },
            reasons: ["p95-up"],
          },
        ],
      } as ServiceMapDiffResponse,
    });
    expect(m.nodes.map((n) => n.change)).toEqual([null, "changed", "added"]);
    expect(m.nodes[1]!.changeReasons).toEqual(["p95-up"]);
    expect(m.edges.map((e) => e.change)).toEqual([null, "added"]);
  });
});

import { chooseGroupBy } from "./prepare-map";
describe("chooseGroupBy", () => {
  const ns = (n: number) => Array.from({ length: n }, (_, i) => ({ namespace: `ns${i % 3}` }));
  it("follows the URL, else groups big multi-namespace maps", () => {
    expect(chooseGroupBy("none", 300, ns(300))).toBe("none");
    expect(chooseGroupBy("environment", 3, ns(3))).toBe("environment");
    expect(chooseGroupBy("", 300, ns(300))).toBe("namespace");
    expect(chooseGroupBy("", 20, ns(20))).toBe("none");
    expect(chooseGroupBy("", 300, [{ namespace: "one" }])).toBe("none");
  });
});
