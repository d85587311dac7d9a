import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../tests/helpers/start-server";
import { NODE_HEIGHT, NODE_WIDTH } from "../../../lib/map-layout/positions";

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

interface Layout {
  positions: Record<string, { x: number; y: number }>;
  source: string;
}

async function post(body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`${server.baseUrl}/api/v1/service-map/layout`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: await r.json() };
}

/** Three layers of services in two namespaces, each calling two of the next layer. */
function fleet(n: number) {
  const ids = Array.from({ length: n }, (_, i) => `service:s${String(i).padStart(2, "0")}`);
  const edges = ids.flatMap((id, i) =>
    [i + 7, i + 11].filter((j) => j < n).map((j) => ({ id: `${id}->${ids[j]}`, source: id, target: ids[j]! })),
  );
  return { nodes: ids.map((id, i) => ({ id, group: i % 2 ? "team-a" : "team-b" })), edges };
}

function overlapping(positions: Layout["positions"]): number {
  const ps = Object.values(positions);
  let n = 0;
  for (let a = 0; a < ps.length; a++)
    for (let b = a + 1; b < ps.length; b++)
      if (Math.abs(ps[a]!.x - ps[b]!.x) < NODE_WIDTH && Math.abs(ps[a]!.y - ps[b]!.y) < NODE_HEIGHT) n++;
  return n;
}

describe("POST /api/v1/service-map/layout on the real server (ELK in its layout thread)", () => {
  const map = fleet(30);

  it("places every node without overlap, then answers the same topology from its cache", async () => {
    const first = await post(map);
    expect(first.status).toBe(200);
    const layout = first.json as Layout;
    expect(layout.source).toBe("computed");
    expect(Object.keys(layout.positions).sort()).toEqual(map.nodes.map((n) => n.id).sort());
    expect(overlapping(layout.positions)).toBe(0);

    // Another browser, nodes and edges in another order: the same places, no new layout.
    const again = await post({ nodes: [...map.nodes].reverse(), edges: [...map.edges].reverse() });
    expect(again.json.source).toBe("cache");
    expect(again.json.positions).toEqual(layout.positions);
  });

  it("keeps the places of known nodes when one appears, and lays out anew on request", async () => {
    const before = (await post(map)).json as Layout;
    const grown = {
      nodes: [...map.nodes, { id: "database:postgresql://db:5432/orders", group: "team-a" }],
      edges: [...map.edges, { id: "x", source: "service:s03", target: "database:postgresql://db:5432/orders" }],
    };
    const after = (await post(grown)).json as Layout;
    expect(after.source).toBe("extended");
    for (const n of map.nodes) expect(after.positions[n.id]).toEqual(before.positions[n.id]);
    expect(overlapping(after.positions)).toBe(0);

    const fresh = (await post({ ...grown, fresh: true })).json as Layout;
    expect(fresh.source).toBe("computed");
    expect(overlapping(fresh.positions)).toBe(0);
  });

  it("answers 400 naming what is wrong with the request", async () => {
    const empty = await post({ nodes: [], edges: [] });
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toContain("nodes must list at least one node");
    const noId = await post({ nodes: [{ group: "x" }], edges: [] });
    expect(noId.status).toBe(400);
    expect(noId.json.error.message).toContain("nodes.0.id");
  });
});
