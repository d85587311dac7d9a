import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Span } from "../../normalize";
import { createAppender } from "./append-spans";
import { createIngestStore } from "./ingest";
import { openWriterDb, type Db } from "./open";
import { countSpansByService, readSpansInWindow, readTraceSpans, readTracesSpans } from "./read-spans";
import { searchTraceSummaries } from "./search-traces";
import { deleteOldestBlocks, deleteSpansBefore, countStoredSpans } from "./span-retention";
import { createSpanFactory } from "../../../tests/fixtures/servicegraph/span-factory";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "span-store-"));
  db = openWriterDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function append(spans: Span[]): Span[] {
  const out: Span[] = [];
  const app = createAppender(db);
  db.transaction(() => app.appendSpans(spans, out))();
  return out;
}

const ns = (ms: number) => BigInt(ms) * 1_000_000n;

describe("span store (blocks + trace summaries)", () => {
  it("reads back every field of every span exactly, across blocks, with duplicates stored once", () => {
    const f = createSpanFactory();
    const root = f.server("web", {
      attrs: { "http.route": "/a", n: 7, big: 2 ** 60, ratio: 0.25, ok: true, list: ["x", 1, false], none: null },
    });
    root.events = [
      { timeUnixNano: root.startNs + 5n, name: "exception", attributes: { "exception.message": "boom ☃" } },
    ];
    root.statusMessage = "bad";
    root.statusCode = 2;
    const [c, s] = f.httpCall(root, "api");
    c!.links = [{ traceId: "ab".repeat(16), spanId: "cd".repeat(8), attributes: { why: "retry" } }];
    s!.startNs = 1_764_000_000_123_456_789n;
    s!.endNs = 1_764_000_000_223_456_789n;
    expect(append([root, c!])).toHaveLength(2);
    // The server half arrives later, its client again (a retry): only the server is new.
    expect(append([c!, s!])).toEqual([s]);
    expect(append([root, c!, s!])).toEqual([]);
    const back = readTraceSpans(db, root.traceId);
    const sorted = [root, c!, s!].sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
    expect(back).toEqual(
      sorted.map((x) => ({ ...x, attributes: x === root ? { ...x.attributes, big: 2 ** 60 } : x.attributes })),
    );
    expect(countStoredSpans(db)).toBe(3);
  });

  it("keeps a parent stored in a later block addressable (literal id) and a parent stored earlier (index)", () => {
    const f = createSpanFactory();
    const root = f.server("web");
    const child = f.internal("web", { parent: root });
    append([child]);
    append([root]);
    const grand = f.internal("web", { parent: child });
    append([grand]);
    const back = readTraceSpans(db, root.traceId);
    expect(back.map((x) => [x.spanId, x.parentSpanId])).toEqual(
      [root, child, grand].map((x) => [x.spanId, x.parentSpanId]),
    );
  });

  it("searches by latest, service, operation, status, duration and attributes (span or resource)", () => {
    const f = createSpanFactory(Date.UTC(2026, 10, 25, 10, 0, 0));
    const traces: Span[][] = [];
    for (let i = 0; i < 60; i++) {
      f.newTrace();
      const root = f.server(i % 3 === 0 ? "web" : "edge", {
        startMs: f.baseMs + i * 1000,
        durationMs: 10 + i,
        name: `GET /r${i % 5}`,
        attrs: { "http.response.status_code": i % 10 === 0 ? 500 : 200 },
        error: i % 10 === 0,
        resource: { "k8s.pod.name": `pod-${i % 4}` },
      });
      const [c, s] = f.httpCall(root, i % 2 ? "db-api" : "cart");
      traces.push([root, c!, s!]);
    }
    for (let i = 0; i < traces.length; i += 7) append(traces.slice(i, i + 7).flat());
    const q = (extra: object) =>
      searchTraceSummaries(db, { fromNs: ns(f.baseMs - 1), toNs: ns(f.baseMs + 120_000), limit: 1000, ...extra }).map(
        (t) => t.traceId,
      );
    const idOf = (i: number) => traces[i]![0]!.traceId;
    const expectIds = (got: string[], want: number[]) => expect(got).toEqual(want.sort((a, b) => b - a).map(idOf));
    const all = [...Array(60).keys()];
    expectIds(q({}), all);
    expect(
      searchTraceSummaries(db, { fromNs: ns(f.baseMs - 1), toNs: ns(f.baseMs + 120_000), limit: 5 }).map(
        (t) => t.traceId,
      ),
    ).toEqual([59, 58, 57, 56, 55].map(idOf));
    expectIds(
      q({ service: "web" }),
      all.filter((i) => i % 3 === 0),
    );
    expectIds(
      q({ service: "cart" }),
      all.filter((i) => i % 2 === 0),
    );
    expectIds(
      q({ service: "web", operation: "GET /r1" }),
      all.filter((i) => i % 3 === 0 && i % 5 === 1),
    );
    expectIds(
      q({ status: "error" }),
      all.filter((i) => i % 10 === 0),
    );
    expectIds(
      q({ service: "edge", status: "error" }),
      all.filter((i) => i % 10 === 0 && i % 3 !== 0),
    );
    // A trace lasts from its first start to its last end: the client call ends at +21 ms.
    const dur = (i: number) => Math.max(10 + i, 21);
    expectIds(
      q({ minDurationNs: ns(50) }),
      all.filter((i) => dur(i) >= 50),
    );
    expectIds(
      q({ maxDurationNs: ns(25) }),
      all.filter((i) => dur(i) <= 25),
    );
    expectIds(
      q({ minDurationNs: ns(30), maxDurationNs: ns(40), service: "web" }),
      all.filter((i) => dur(i) >= 30 && dur(i) <= 40 && i % 3 === 0),
    );
    expectIds(
      q({ attrs: [{ key: "http.response.status_code", value: "500" }] }),
      all.filter((i) => i % 10 === 0),
    );
    expectIds(
      q({ attrs: [{ key: "k8s.pod.name", value: "pod-1" }] }),
      all.filter((i) => i % 4 === 1),
    );
    expectIds(q({ attrs: [{ key: "nope", value: "1" }] }), []);
    // Window: traces that start in it.
    const w = searchTraceSummaries(db, {
      fromNs: ns(f.baseMs + 10_000),
      toNs: ns(f.baseMs + 20_000),
      limit: 100,
      service: "edge",
    });
    expect(w.map((t) => t.traceId)).toEqual([19, 17, 16, 14, 13, 11, 10].map(idOf));
    // Summary fields.
    const one = searchTraceSummaries(db, { fromNs: ns(f.baseMs + 30_000), toNs: ns(f.baseMs + 30_001), limit: 10 })[0]!;
    expect(one).toEqual({
      traceId: idOf(30),
      rootService: "web",
      rootOperation: "GET /r0",
      startTime: f.baseMs + 30_000,
      durationMs: 40,
      spanCount: 3,
      errorCount: 1,
      services: ["cart", "web"],
    });
  });

  it("matches attribute values of every type as their text, on the span or its resource", () => {
    const f = createSpanFactory(Date.UTC(2026, 10, 25, 10, 0, 0));
    const a = f.server("web", {
      attrs: { flag: true, ratio: 0.25, tags: ["a", "b", 3], big: 2 ** 60, code: "500", nested: { x: "y" } },
      resource: { region: "eu" },
    });
    f.newTrace();
    const b = f.server("api", { attrs: { code: 500, flag: false }, resource: { region: "us" } });
    append([a, b]);
    const q = (attrs: { key: string; value: string }[], extra: object = {}) =>
      searchTraceSummaries(db, {
        fromNs: ns(f.baseMs - 1),
        toNs: ns(f.baseMs + 60_000),
        limit: 10,
        attrs,
        ...extra,
      }).map((t) => t.rootService);
    expect(q([{ key: "flag", value: "TRUE" }])).toEqual(["web"]);
    expect(q([{ key: "flag", value: "false" }])).toEqual(["api"]);
    expect(q([{ key: "flag", value: "yes" }])).toEqual([]);
    expect(q([{ key: "ratio", value: "0.25" }])).toEqual(["web"]);
    expect(q([{ key: "big", value: String(2 ** 60) }])).toEqual(["web"]);
    // A string "500" and an int 500 both read as 500.
    expect(q([{ key: "code", value: "500" }]).sort()).toEqual(["api", "web"]);
    expect(q([{ key: "code", value: "500.0" }])).toEqual([]);
    // Array elements, two filters on one array key, and an object value (never a match).
    expect(q([{ key: "tags", value: "3" }])).toEqual(["web"]);
    expect(
      q([
        { key: "tags", value: "a" },
        { key: "tags", value: "b" },
      ]),
    ).toEqual(["web"]);
    expect(q([{ key: "nested", value: "y" }])).toEqual([]);
    // A resource attribute and a span attribute on the same span; another service's resource does not lend its.
    expect(
      q([
        { key: "region", value: "eu" },
        { key: "code", value: "500" },
      ]),
    ).toEqual(["web"]);
    expect(q([{ key: "region", value: "us" }], { service: "web" })).toEqual([]);
    expect(q([{ key: "code", value: "500" }], { operation: "no such op" })).toEqual([]);
    expect(q([{ key: "code", value: "500" }], { status: "error" })).toEqual([]);
  });

  it("reads a window's spans (earliest first, bounded) and the spans of listed traces", () => {
    const f = createSpanFactory();
    const spans: Span[] = [];
    for (let i = 0; i < 50; i++) {
      f.newTrace();
      spans.push(f.server("web", { startMs: f.baseMs + i * 10 }));
    }
    append(spans.slice(25));
    append(spans.slice(0, 25));
    const w = readSpansInWindow(db, f.baseMs + 100, f.baseMs + 300, 1000);
    expect(w.map((s) => s.spanId)).toEqual(spans.slice(10, 30).map((s) => s.spanId));
    expect(readSpansInWindow(db, f.baseMs, f.baseMs + 1000, 5).map((s) => s.spanId)).toEqual(
      spans.slice(0, 5).map((s) => s.spanId),
    );
    expect(readTracesSpans(db, [spans[3]!.traceId, "f".repeat(32), spans[40]!.traceId]).map((s) => s.spanId)).toEqual([
      spans[3]!.spanId,
      spans[40]!.spanId,
    ]);
    expect([...countSpansByService(db)]).toEqual([["web", 50]]);
  });

  it("retention drops whole blocks by age and the oldest blocks for the budget, with their summaries", () => {
    const f = createSpanFactory();
    const blocks: Span[][] = [];
    for (let b = 0; b < 4; b++) {
      const list: Span[] = [];
      for (let i = 0; i < 5; i++) {
        f.newTrace();
        list.push(f.server("web", { startMs: f.baseMs + b * 60_000 + i }));
      }
      blocks.push(list);
      append(list);
    }
    expect(deleteSpansBefore(db, ns(f.baseMs + 60_004))).toBe(5);
    expect(readTraceSpans(db, blocks[0]![0]!.traceId)).toEqual([]);
    expect(readTraceSpans(db, blocks[1]![0]!.traceId)).toHaveLength(1);
    expect(deleteOldestBlocks(db, 1)).toBe(5);
    expect(countStoredSpans(db)).toBe(10);
    expect(db.prepare("SELECT count(*) FROM traces").pluck().get()).toBe(10);
  });
});

const batch = (spans: Span[]) => ({ spans, points: [], logs: [] });

describe("raw appends", () => {
  it("a rolled-back append leaves no resource id behind: the spans written after it keep their services", async () => {
    const ingest = createIngestStore(db);
    const f = createSpanFactory();
    const checkout = f.server("checkout");
    // A span the store cannot take (a timestamp past 2262) fails the whole transaction, after
    // the new `checkout` resource was inserted in it.
    const poison = f.server("checkout");
    poison.startNs = 2n ** 64n - 1n;
    poison.endNs = poison.startNs;
    expect(() => ingest.append([batch([checkout, poison])], Date.now())).toThrow();
    // The writer then writes the request's spans one by one (the same resource object), and
    // another client's new service comes next.
    expect((await ingest.append([batch([checkout])], Date.now())).inserted).toHaveLength(1);
    expect((await ingest.append([batch([f.server("payments")])], Date.now())).inserted).toHaveLength(1);
    expect(Object.fromEntries(countSpansByService(db))).toEqual({ checkout: 1, payments: 1 });
  });
});
