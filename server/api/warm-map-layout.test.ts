import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MapLayout, MapLayoutRequest } from "../../lib/contract";
import { createLogger } from "../platform/logger";
import { startMapLayoutWarming } from "./warm-map-layout";

/** A map of `n` services in a chain, as the summary and services routes answer it. */
function fleet(n: number) {
  const names = Array.from({ length: n }, (_, i) => `s${i}`);
  const stats = { requests: 10, errors: 0, rate: 1, errorRate: 0, p50: 1, p95: 2, p99: 3 };
  return {
    summary: {
      nodes: names.map((name) => ({
        id: `service:${name}`,
        kind: "service",
        name,
        health: "ok",
        stats,
        instrumented: true,
      })),
      edges: names.slice(1).map((name, i) => ({
        id: `service:${names[i]}->service:${name}`,
        source: `service:${names[i]}`,
        target: `service:${name}`,
        protocol: "http",
        health: "ok",
        stats,
        statsSide: "client",
      })),
      completeness: { complete: true },
    },
    services: { services: names.map((name) => ({ name, namespace: null, environment: null, health: "ok", ...stats })) },
  };
}

/** What a layout depends on: nodes, their groups and calls. */
const topologyKey = (req: MapLayoutRequest) =>
  JSON.stringify([req.nodes.map((n) => `${n.id}/${n.group ?? ""}`).sort(), req.edges.map((e) => e.id).sort()]);

/** A layout service that counts ELK runs and knows every topology it laid out. */
function fakeLayout() {
  const known = new Set<string>();
  const laidOut: number[] = [];
  const answer = (source: MapLayout["source"]): MapLayout => ({ positions: {}, source });
  return {
    laidOut,
    layoutIfKnown: (req: MapLayoutRequest) => (known.has(topologyKey(req)) ? answer("cache") : null),
    layout: async (req: MapLayoutRequest) => {
      const key = topologyKey(req);
      if (known.has(key)) return answer("cache");
      known.add(key);
      laidOut.push(req.nodes.length);
      return answer("computed");
    },
  };
}

let map = fleet(5);
const reads: string[] = [];
const offload = (pathAndQuery: string) => {
  reads.push(pathAndQuery);
  const body = pathAndQuery.startsWith("/api/v1/service-map/summary") ? map.summary : map.services;
  return Promise.resolve({ status: 200, json: JSON.stringify(body) });
};
/** The writer's event-loop clock: `busy` of every 100 ms it advances is active time. */
const writer = { active: 0, idle: 0, busy: 0 };
const tick = (ms: number) => {
  writer.active += (ms * writer.busy) / 100;
  writer.idle += (ms * (100 - writer.busy)) / 100;
};
const log = createLogger("error");

beforeEach(() => {
  vi.useFakeTimers();
  map = fleet(5);
  reads.length = 0;
  Object.assign(writer, { active: 0, idle: 0, busy: 0 });
});
afterEach(() => vi.useRealTimers());

async function advance(ms: number) {
  for (let t = 0; t < ms; t += 1000) {
    tick(1000);
    await vi.advanceTimersByTimeAsync(1000);
  }
}

describe("map layout warming", () => {
  it("lays a new topology out at once while the writer is mostly idle", async () => {
    const layout = fakeLayout();
    writer.busy = 5;
    const job = startMapLayoutWarming({ layout, offload, log, intervalMs: 10_000, writerLoopTime: () => writer });
    await advance(3_000);
    expect(layout.laidOut).toEqual([5]);
    map = fleet(6);
    await advance(10_000);
    expect(layout.laidOut).toEqual([5, 6]);
    job.stop();
  });

  it("waits while the writer is busy, then lays out once it is not, or after the longest wait", async () => {
    const layout = fakeLayout();
    writer.busy = 90;
    const job = startMapLayoutWarming({
      layout,
      offload,
      log,
      intervalMs: 10_000,
      maxDeferMs: 120_000,
      writerLoopTime: () => writer,
    });
    await advance(20_000);
    expect(layout.laidOut).toEqual([]);
    const looked = reads.length;
    expect(looked).toBeGreaterThan(0); // it did look at the map
    await advance(40_000);
    expect(reads.length).toBe(looked); // and reads nothing more while the layout waits
    writer.busy = 2;
    await advance(20_000); // a round measures the writer since the one before
    expect(layout.laidOut).toEqual([5]);

    writer.busy = 95;
    await advance(20_000);
    map = fleet(8);
    await advance(60_000);
    expect(layout.laidOut).toEqual([5]);
    await advance(130_000);
    expect(layout.laidOut).toEqual([5, 8]);
    job.stop();
  });

  it("reads the map once a minute while the writer is busy and the layout is cached", async () => {
    const layout = fakeLayout();
    writer.busy = 2;
    const job = startMapLayoutWarming({ layout, offload, log, intervalMs: 10_000, writerLoopTime: () => writer });
    await advance(3_000);
    expect(layout.laidOut).toEqual([5]);
    writer.busy = 90;
    await advance(20_000); // the next round sees the busy writer
    const before = reads.length;
    await advance(120_000);
    const summaryReads = reads.slice(before).filter((r) => r.startsWith("/api/v1/service-map/summary"));
    expect(summaryReads.length).toBeLessThanOrEqual(2);
    writer.busy = 2;
    await advance(150_000); // up to two more minutes (rounds that saw the busy writer), then every 10 s

    const quiet = reads.slice(before).filter((r) => r.startsWith("/api/v1/service-map/summary")).length;
    expect(quiet - summaryReads.length).toBeGreaterThanOrEqual(4); // every 10 s again
    job.stop();
  });
});
