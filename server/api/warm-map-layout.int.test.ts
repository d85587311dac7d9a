import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeDefaultLayoutRequest } from "../../lib/map-layout/groups";
import { sendSyntheticFleet } from "../../tests/e2e/support/send-traffic";
import { startServer, type RunningServer } from "../../tests/helpers/start-server";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_MAP_WARM_MS: "1000", CARTOGRAPH_LOG_LEVEL: "debug" } });
});
afterAll(async () => {
  await server?.stop();
});

async function postLayout(body: unknown): Promise<{ source: string; positions: Record<string, unknown> }> {
  const r = await fetch(`${server.baseUrl}/api/v1/service-map/layout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
  return r.json();
}

describe("the server lays out the map users land on before any visit", () => {
  it("answers the first visit's layout request from its cache, grouped as the UI groups it", async () => {
    // Real OTel exporter; 100 services in 8 namespaces: the UI opens this map grouped by namespace.
    const sent = await sendSyntheticFleet(`${server.otlpHttpUrl}/v1/traces`, { services: 100, edges: 300 });
    // The map once every call is on it and it stops changing (with the ClickHouse store the
    // leader's passes add calls in steps: early passes first, unanswered ones settled later).
    let map: any;
    let previous = "";
    const deadline = Date.now() + 90_000;
    do {
      map = await server.get("/api/v1/service-map");
      const shape = `${map.nodes.length}/${map.edges.length}`;
      if (map.nodes.length >= 100 && map.edges.length >= sent.edges && shape === previous) break;
      previous = shape;
      await new Promise((r) => setTimeout(r, 2000));
    } while (Date.now() < deadline);
    expect(map.edges.length).toBeGreaterThanOrEqual(sent.edges);
    const { services } = await server.get("/api/v1/services");
    const request = describeDefaultLayoutRequest(map, services);
    expect(new Set(request.nodes.map((n) => n.group).filter(Boolean)).size).toBeGreaterThan(1);

    // Nobody has asked for a layout: a warming round (every second here) lays it out.
    let answer = await postLayoutWhenWarmed(request);
    expect(answer.source).toBe("cache");
    expect(Object.keys(answer.positions).length).toBe(request.nodes.length);

    // A grouping nobody asked for is not in the cache: laid out on request.
    answer = await postLayout({ ...request, nodes: request.nodes.map((n) => ({ id: n.id, group: null })) });
    expect(answer.source).toBe("computed");
  }, 240_000);
});

/**
 * Waits for a warming round's log line for this many nodes, then asks once: a request made
 * before the round would lay the map out itself and fill the cache, proving nothing.
 */
async function postLayoutWhenWarmed(request: { nodes: unknown[]; edges: unknown[] }) {
  const line = new RegExp(`map layout warmed nodes=${request.nodes.length} edges=${request.edges.length}\\b`);
  const deadline = Date.now() + 120_000;
  while (!line.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  const rounds = server
    .output()
    .split("\n")
    .filter((l) => l.includes("map layout warm"));
  expect(rounds.join("\n")).toMatch(line);
  return postLayout(request);
}
