import { describe, expect, it } from "vitest";
import type { MapEdge, MapNode, ServiceMap } from "./assemble-map";
import { NO_ENVIRONMENT, scopeServiceMap } from "./scope-map";
import { environmentOfNodeId, serviceKey, serviceNode, splitServiceKey, withEnvironment } from "./node-identity";

const stats = { requests: 1, errors: 0, errorRate: 0, rps: 1, p50Ms: 1, p95Ms: 1, p99Ms: 1 };
const node = (id: string, extra: Partial<MapNode> = {}): MapNode => ({
  id,
  kind: id.startsWith("service:") ? "service" : "database",
  name: id,
  health: "ok",
  stats,
  instrumented: true,
  firstSeen: "",
  lastSeen: "",
  ...extra,
});
const edge = (source: string, target: string): MapEdge => ({
  id: `${source}->${target}`,
  source,
  target,
  protocol: "http",
  protocols: ["http"],
  health: "ok",
  stats,
  statsSide: "server",
  clientStats: null,
  serverStats: stats,
  connects: 0,
  tables: [],
  firstSeen: "",
  lastSeen: "",
});

describe("environment identity", () => {
  it("scopes service ids by environment and leaves services without one as they were", () => {
    expect(serviceNode(serviceKey("checkout", "production")).id).toBe("service:checkout?env=production");
    expect(serviceNode(serviceKey("checkout", null)).id).toBe("service:checkout");
    expect(serviceNode(serviceKey("checkout", "staging")).id).not.toBe(
      serviceNode(serviceKey("checkout", "production")).id,
    );
    expect(splitServiceKey(serviceKey("a", "b c"))).toEqual({ name: "a", environment: "b c" });
  });

  it("appends the environment after an existing query part and reads it back", () => {
    const id = withEnvironment("database:postgresql://localhost:5432/orders?via=checkout", "pre prod&x");
    expect(id).toBe("database:postgresql://localhost:5432/orders?via=checkout&env=pre%20prod%26x");
    expect(environmentOfNodeId(id)).toBe("pre prod&x");
    expect(environmentOfNodeId("service:checkout")).toBeNull();
  });
});

describe("scopeServiceMap", () => {
  const map: ServiceMap = {
    nodes: [
      node("service:web?env=prod", { environment: "prod", namespace: "shop" }),
      node("service:api?env=prod", { environment: "prod", namespace: "core" }),
      node("database:pg://db/orders?env=prod", { environment: "prod" }),
      node("service:web?env=staging", { environment: "staging", namespace: "shop" }),
      node("service:legacy"),
    ],
    edges: [
      edge("service:web?env=prod", "service:api?env=prod"),
      edge("service:api?env=prod", "database:pg://db/orders?env=prod"),
      edge("service:web?env=staging", "service:api?env=prod"),
    ],
    completeness: {
      pairedCalls: 0,
      unpairedClientSpans: 0,
      unpairedServerSpans: 0,
      virtualCalls: 0,
      expired: 0,
      dropped: 0,
      ratio: null,
    },
  };

  it("keeps one environment and the edges that cross into it", () => {
    const s = scopeServiceMap(map, { environment: "staging" });
    expect(s.nodes.map((n) => n.id).sort()).toEqual(["service:api?env=prod", "service:web?env=staging"]);
    expect(s.edges).toHaveLength(1);
  });

  it("selects services without an environment as their own group", () => {
    const s = scopeServiceMap(map, { environment: NO_ENVIRONMENT });
    expect(s.nodes.map((n) => n.id)).toEqual(["service:legacy"]);
    expect(s.edges).toEqual([]);
  });

  it("filters by namespace, keeping the neighbours of the namespace's services", () => {
    const s = scopeServiceMap(map, { environment: "prod", namespace: "core" });
    expect(s.nodes.map((n) => n.id).sort()).toEqual([
      "database:pg://db/orders?env=prod",
      "service:api?env=prod",
      "service:web?env=prod",
      "service:web?env=staging",
    ]);
  });

  it("answers for all environments without a scope", () => {
    expect(scopeServiceMap(map, {})).toBe(map);
  });
});
