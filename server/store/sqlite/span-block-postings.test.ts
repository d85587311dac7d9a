import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Attributes, Span } from "../../normalize";
import { createAppender } from "./append-spans";
import { openWriterDb, type Db } from "./open";
import { searchTraceSummaries } from "./search-traces";
import { findPosting } from "./span-block-postings";
import { createSpanFactory } from "../../../tests/fixtures/servicegraph/span-factory";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "span-postings-"));
  db = openWriterDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const TRACES = 40;

/** One block of 40 two-span traces; `attrsOf(i)` gives trace i's server span attributes. */
function appendBlock(block: number, attrsOf: (i: number) => Attributes, resource?: Attributes): Span[][] {
  const f = createSpanFactory(T0 + block * 100_000);
  const traces: Span[][] = [];
  for (let i = 0; i < TRACES; i++) {
    const trace = (block * 1000 + i + 1).toString(16).padStart(32, "0");
    const root = f.server("web", {
      trace,
      startMs: f.baseMs + i * 1000,
      attrs: { "http.route": "/a", tid: i % 2 },
    });
    const srv = f.server("api", { parent: root, attrs: attrsOf(i), resource });
    traces.push([root, srv]);
  }
  const app = createAppender(db);
  db.transaction(() => app.appendSpans(traces.flat(), []))();
  return traces;
}

const postingsOf = () => db.prepare(`SELECT postings FROM span_blocks ORDER BY id`).pluck().all() as (Buffer | null)[];
const traceKey = (traceId: string) =>
  db.prepare(`SELECT id FROM traces WHERE trace_id = ?`).pluck().get(Buffer.from(traceId, "hex")) as number;
const search = (key: string, value: string, extra: object = {}) =>
  searchTraceSummaries(db, {
    fromNs: ns(T0 - 1000),
    toNs: ns(T0 + 10_000_000),
    attrs: [{ key, value }],
    limit: 100,
    ...extra,
  })
    .map((t) => t.traceId)
    .sort();

// Trace 3 holds code 500 as a number, trace 17 as a string; every trace has a unique id.
const codes = (i: number): Attributes => ({
  code: i === 3 ? 500 : i === 17 ? "500" : 200,
  id: `req-${i}`,
  tags: i === 9 ? ["x", "rare-tag"] : ["x"],
  flag: i === 5,
});

describe("rare-term postings of span blocks", () => {
  it("lists a rare term's traces exactly (number and string as one term) and leaves common terms and booleans out", () => {
    const traces = appendBlock(0, codes);
    const [blob] = postingsOf();
    expect(blob).toBeInstanceOf(Buffer);
    const want = (v: string) => Buffer.from(v);
    const keys = (ids: number[]) => ids.map((i) => traceKey(traces[i]![0]!.traceId)).sort((a, b) => a - b);
    expect(findPosting(blob!, "code", want("500"))!.sort((a, b) => a - b)).toEqual(keys([3, 17]));
    expect(findPosting(blob!, "tags", want("rare-tag"))).toEqual(keys([9]));
    expect(findPosting(blob!, "id", want("req-30"))).toEqual(keys([30]));
    // Common in the block (every trace, half the traces), a boolean, an absent value or key.
    expect(findPosting(blob!, "code", want("200"))).toBeNull();
    expect(findPosting(blob!, "tid", want("0"))).toBeNull();
    expect(findPosting(blob!, "tags", want("x"))).toBeNull();
    expect(findPosting(blob!, "flag", want("true"))).toBeNull();
    expect(findPosting(blob!, "code", want("404"))).toBeNull();
    expect(findPosting(blob!, "nope", want("500"))).toBeNull();
  });

  it("answers a rare attribute from postings alone: the blocks' bytes are not read", () => {
    const a = appendBlock(0, codes);
    const b = appendBlock(1, (i) => ({ ...codes(i), code: i === 20 ? 500 : 200 }));
    const expected = [a[3]!, a[17]!, b[20]!].map((t) => t[0]!.traceId).sort();
    expect(search("code", "500")).toEqual(expected);
    // Break every block's data: a search that decoded a block would now fail.
    db.prepare(`UPDATE span_block_data SET data = x'ff00ff00'`).run();
    expect(search("code", "500")).toEqual(expected);
    expect(search("id", "req-30")).toEqual([a[30]!, b[30]!].map((t) => t[0]!.traceId).sort());
    // A common term needs the spans themselves.
    expect(() => search("code", "200")).toThrow();
  });

  it("matches what decoding finds, with other filters and when a resource carries the attribute", () => {
    const a = appendBlock(0, codes);
    const errorsOnly = search("code", "500", { status: "error" });
    expect(errorsOnly).toEqual([]);
    expect(search("code", "500", { service: "api" })).toEqual([a[3]!, a[17]!].map((t) => t[0]!.traceId).sort());
    // A block whose resource says code=500: every trace of it matches through the resource.
    const r = appendBlock(1, () => ({ code: 200 }), { code: 500 });
    expect(search("code", "500")).toHaveLength(2 + r.length);
  });

  it("keeps postings within their budget when every span carries a unique value", () => {
    appendBlock(0, (i) => ({ uid: `user-${i}-${"x".repeat(40)}`, sid: `session-${i}-${"y".repeat(40)}` }));
    const [blob] = postingsOf();
    // 80 spans: 64 + 4 bytes per span at most.
    expect(blob!.length).toBeLessThanOrEqual(64 + 4 * 80);
    // Terms that did not fit are unlisted (the block is decoded), never listed partly.
    const unlisted = Array.from({ length: TRACES }, (_, i) =>
      findPosting(blob!, "sid", Buffer.from(`session-${i}-${"y".repeat(40)}`)),
    );
    expect(unlisted.every((x) => x === null || x.length === 1)).toBe(true);
    expect(search("sid", `session-39-${"y".repeat(40)}`)).toHaveLength(1);
  });
});
