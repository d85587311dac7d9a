import { describe, expect, it } from "vitest";
import { decodeZipkinSpans } from "../../decode";
import { normalizeZipkin } from "../../normalize";
import { buildGraphFromSpans } from "./build-graph";
import {
  createZipkinBuilder,
  kafkaTraces,
  largeTrace,
  multiHopRpc,
  rabbitTraces,
} from "../../../tests/fixtures/zipkin/traces";
import { linkZipkin } from "../../../tests/fixtures/zipkin/zipkin-linker";
import { projectToZipkin, sortedLinks } from "../../../tests/fixtures/zipkin/project-map";
import type { ZSpan } from "../../../tests/fixtures/zipkin/zipkin-client";
import { generateZipkinCorpus } from "../../../tests/fixtures/zipkin/random-traces";

const BASE_US = Date.UTC(2026, 10, 29, 10, 0, 0) * 1000;
const limits = { maxValueLength: 4096, maxDepth: 8, maxAttributes: 256 };

function mapOf(spans: ZSpan[]) {
  const decoded = decodeZipkinSpans(Buffer.from(JSON.stringify(spans)), "json");
  const norm = normalizeZipkin(decoded, {
    limits,
    stats: { truncatedValues: 0, droppedAttributes: 0 },
    nowNs: BigInt(BASE_US) * 1000n,
  });
  expect(norm.rejected).toBe(0);
  return { map: buildGraphFromSpans(norm.items), spans: norm.items };
}

describe("service graph on Zipkin traffic agrees with Zipkin's dependency linker", () => {
  const b = createZipkinBuilder(BASE_US);
  const fixtures: Record<string, ZSpan[]> = {
    "multi-hop RPC with shared spans, a self-call, local spans between, mysql and memcache": multiHopRpc(
      b,
      "463ac35c9f6413ad",
    ),
    "the same with a server half without timestamp or duration": multiHopRpc(b, "463ac35c9f6413ad48485a3953bb6124", {
      omitServerTimes: true,
    }),
    "kafka producer and consumers through the broker, one consumer without its producer": kafkaTraces(
      b,
      "a1",
      "48485a3953bb6124",
    ),
    "rabbitmq exchange, routing key and queue": rabbitTraces(b, "00000000000000000000000000000b0b"),
    "a 1,041-span trace": largeTrace(b, "5af7183fb1d4cf5f"),
  };

  for (const [name, spans] of Object.entries(fixtures)) {
    it(`links equal Zipkin's: ${name}`, () => {
      const { map, spans: stored } = mapOf(spans);
      expect(stored).toHaveLength(spans.length);
      const { links } = projectToZipkin(map);
      expect(sortedLinks(links)).toEqual(sortedLinks(linkZipkin(spans)));
    });
  }

  it("all fixtures at once: same links, same call and error counts", () => {
    const all = Object.values(fixtures).flat();
    const { map } = mapOf(all);
    const { links, extra } = projectToZipkin(map);
    expect(sortedLinks(links)).toEqual(sortedLinks(linkZipkin(all)));
    // What Cartograph draws beyond Zipkin: callers of root spans with no remote service name.
    expect(extra.sort()).toEqual(["client:192.168.1.10->service:frontend", "client:user->service:orders"]);
  });

  it("keeps typed nodes while agreeing: the topic, the database and the cache are typed", () => {
    const { map } = mapOf([...multiHopRpc(b, "1"), ...kafkaTraces(b, "2", "3")]);
    const byId = Object.fromEntries(map.nodes.map((n) => [n.id, n]));
    expect(byId["messaging:kafka/order-events"]).toMatchObject({
      kind: "messaging",
      system: "kafka",
      name: "order-events",
    });
    expect(byId["database:mysql://mysql:3306/"]).toMatchObject({ kind: "database", system: "mysql" });
    expect(byId["database:memcached://memcache:11211/"]).toMatchObject({ kind: "database", system: "memcached" });
    expect(map.edges.map((e) => e.id)).toContain("messaging:kafka/order-events->service:billing");
    expect(map.edges.map((e) => e.id)).toContain("service:auth->service:auth");
  });

  it("a seeded corpus of 400 generated traces mixing every rule: same links, calls and errors", () => {
    const corpus = generateZipkinCorpus(20261130, { traces: 400, baseUs: BASE_US });
    const all = corpus.flat();
    const { map } = mapOf(all);
    const { links, extra } = projectToZipkin(map);
    expect(sortedLinks(links)).toEqual(sortedLinks(linkZipkin(all)));
    // Beyond Zipkin only the callers of root servers without a remote name.
    expect(extra.filter((e) => !/^client:(user|192\.168\.1\.10)->service:/.test(e))).toEqual([]);
  });
});
