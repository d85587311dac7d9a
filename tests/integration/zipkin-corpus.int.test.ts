import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";
import { postZipkin, type ZSpan } from "../fixtures/zipkin/zipkin-client";
import { createRandom, generateZipkinCorpus } from "../fixtures/zipkin/random-traces";
import { createZipkinBuilder } from "../fixtures/zipkin/traces";
import { linkZipkin, type Links } from "../fixtures/zipkin/zipkin-linker";
import { projectToZipkin, sortedLinks } from "../fixtures/zipkin/project-map";

/**
 * Generated Zipkin traffic through the real receiver, stored and linked by a real server, read
 * back from the map API (streamed rollups and the query-time rebuild), compared link by link
 * (parent, child, calls, errors) with Zipkin's linker run on the spans as sent. The traffic is
 * sent as reporters send it: each trace in several requests, server halves before their
 * clients, JSON and protobuf on both ports, a retried request sent twice, a subtree arriving
 * after its trace was already linked.
 */
/** Longer than the spread of one trace's requests here: later parts are the lateness horizon's business. */
const WAIT_MS = 10_000;
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    env: { CARTOGRAPH_PAIRING_WAIT_MS: String(WAIT_MS), CARTOGRAPH_FLUSH_INTERVAL_MS: "5" },
  });
});
afterAll(async () => server?.stop());

const baseUs = (Date.now() - 120_000) * 1000;
const corpus = generateZipkinCorpus(424242, { traces: 300, baseUs, maxDepth: 5 });

/** Splits a trace into 1-3 requests; spans sharing an id stay together (Zipkin merges them per trace, Cartograph per request). */
function splitTrace(spans: ZSpan[], rnd: () => number): ZSpan[][] {
  const byId = new Map<string, ZSpan[]>();
  for (const s of spans) byId.set(s.id, [...(byId.get(s.id) ?? []), s]);
  const parts: ZSpan[][] = [[], [], []];
  const n = 1 + Math.floor(rnd() * 3);
  for (const group of byId.values()) parts[Math.floor(rnd() * n)]!.push(...group);
  // Server halves first, as a server often reports before its client.
  return parts
    .filter((p) => p.length > 0)
    .sort((a, b) => Number(b.some((s) => s.kind === "SERVER")) - Number(a.some((s) => s.kind === "SERVER")));
}

async function post(i: number, spans: ZSpan[]) {
  const url = i % 2 === 0 ? server.zipkinUrl : server.baseUrl;
  const r = await postZipkin(url, spans, { encoding: i % 3 === 0 ? "protobuf" : "json", gzip: i % 4 === 0 });
  expect(r.status, await r.text()).toBe(202);
}

async function mapLinks(source: "" | "rebuild"): Promise<{ links: Links; extra: string[] }> {
  const q = `/api/v1/service-map?from=${Date.now() - 10 * 60_000}&to=now${source ? `&source=${source}` : ""}`;
  return projectToZipkin(await server.get(q));
}

async function expectMap(expected: Links, source: "" | "rebuild") {
  const want = JSON.stringify(sortedLinks(expected));
  await eventually(
    async () => JSON.stringify(sortedLinks((await mapLinks(source)).links)) === want || null,
    40_000,
    `the ${source || "streamed"} map to equal Zipkin's links`,
  ).catch(async (e) => {
    expect(sortedLinks((await mapLinks(source)).links)).toEqual(sortedLinks(expected));
    throw e;
  });
  const { extra } = await mapLinks(source);
  // Beyond Zipkin's links only the callers of root servers without a remote name.
  expect(extra.filter((x) => !/^client:(user|192\.168\.1\.10)->service:/.test(x))).toEqual([]);
}

describe("the map agrees with Zipkin's linker on generated Zipkin traffic sent through real HTTP", () => {
  it("300 traces in several requests each, servers first, one request retried: same links, calls and errors", async () => {
    const rnd = createRandom(7);
    const rounds: ZSpan[][][] = [[], [], []];
    for (const trace of corpus) splitTrace(trace, rnd).forEach((part, i) => rounds[i]!.push(part));
    let n = 0;
    const started = Date.now();
    for (const round of rounds) {
      // Many traces per request, as a reporter batches them.
      const requests: Promise<void>[] = [];
      for (let i = 0; i < round.length; i += 25) requests.push(post(n++, round.slice(i, i + 25).flat()));
      await Promise.all(requests);
      await new Promise((r) => setTimeout(r, 200));
    }
    await post(n, rounds[0]!.slice(0, 25).flat()); // a retry of an acknowledged request
    expect(Date.now() - started).toBeLessThan(WAIT_MS);
    const all = corpus.flat();
    expect(all.length).toBeGreaterThan(2000);
    await expectMap(linkZipkin(all), "");
    await expectMap(linkZipkin(all), "rebuild");
  });

  it("a subtree sent after its trace was linked is linked from the stored trace", async () => {
    const b = createZipkinBuilder((Date.now() - 60_000) * 1000, 99);
    const trace = "7e57ab1e00000000c0ffee0000000001";
    const root = b.span("edge", { trace, kind: "SERVER", remoteEndpoint: b.ep("mobile-app") });
    const call = b.span("edge", { trace, parentId: root.id, kind: "CLIENT", remoteEndpoint: b.ep("catalog") });
    const served = b.span("catalog", { trace, id: call.id, parentId: root.id, kind: "SERVER", shared: true });
    const local = b.span("catalog", { trace, parentId: call.id, name: "render" });
    const late: ZSpan[] = [
      b.span("catalog", {
        trace,
        parentId: local.id,
        kind: "CLIENT",
        remoteEndpoint: b.ep("mysql"),
        tags: { error: "" },
      }),
      b.span("catalog", { trace, parentId: local.id, kind: "CLIENT", name: "lib call" }),
    ];
    const lateServer = b.span("pricing", { trace, parentId: late[1]!.id, kind: "SERVER" });
    late.push(lateServer, b.span("pricing", { trace, parentId: lateServer.id, remoteEndpoint: b.ep("fx-rates") }));
    const before = await mapLinks("");
    await post(1, [root, call, served, local]);
    await new Promise((r) => setTimeout(r, WAIT_MS + 1500));
    await post(2, late);
    const expected: Links = new Map(before.links);
    for (const [k, v] of linkZipkin([root, call, served, local, ...late])) {
      const cur = expected.get(k) ?? { calls: 0, errors: 0 };
      expected.set(k, { calls: cur.calls + v.calls, errors: cur.errors + v.errors });
    }
    await expectMap(expected, "");
    expect(expected.get("catalog->mysql")).toEqual({ calls: 1, errors: 1 });
    expect(expected.get("catalog->pricing")).toEqual({ calls: 1, errors: 0 });
  });
});
