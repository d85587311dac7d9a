import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Span } from "../../normalize";
import { createAppender } from "./append-spans";
import { openWriterDb, type Db } from "./open";
import { searchTraceSummaries } from "./search-traces";
import { deleteSpansBefore } from "./span-retention";
import { bloomHas, hashTerm, TermKind } from "./bloom";
import { GROUP_BLOCKS } from "./span-block-groups";
import { createSpanFactory } from "../../../tests/fixtures/servicegraph/span-factory";

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "span-groups-"));
  db = openWriterDb(dir);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_764_000_000_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

/** One block per call: one trace of one server span, a second apart; `tag` on chosen blocks. */
function appendBlocks(app: ReturnType<typeof createAppender>, from: number, to: number, tagged: number[]): Span[] {
  const f = createSpanFactory();
  const out: Span[] = [];
  for (let i = from; i < to; i++) {
    const s = f.server(`svc-${i % 3}`, {
      trace: (i + 1).toString(16).padStart(32, "0"),
      spanId: (i + 1).toString(16).padStart(16, "0"),
      attrs: tagged.includes(i) ? { tag: "needle" } : { tag: `hay-${i % 5}` },
    });
    s.startNs = ns(T0 + i * 1000);
    s.endNs = s.startNs + 1_000_000n;
    db.transaction(() => app.appendSpans([s], out))();
  }
  return out;
}

interface GroupRow {
  id: number;
  last_block: number;
  blocks: number;
  bloom: Buffer | null;
}
const groups = () =>
  db.prepare(`SELECT id, last_block, blocks, bloom FROM span_block_groups ORDER BY id`).all() as GroupRow[];
const search = (attrValue: string, limit = 10) =>
  searchTraceSummaries(db, {
    fromNs: ns(T0 - 1000),
    toNs: ns(T0 + 10_000_000),
    attrs: [{ key: "tag", value: attrValue }],
    limit,
  });

describe("span block groups", () => {
  it("seals a group's filter after 64 blocks, skips groups a term is not in, still finds every match", () => {
    const app = createAppender(db);
    const spans = appendBlocks(app, 0, 2 * GROUP_BLOCKS + 20, [10, 2 * GROUP_BLOCKS + 5]);
    const g = groups();
    expect(g.map((r) => [r.id, r.last_block, r.blocks])).toEqual([
      [1, GROUP_BLOCKS, GROUP_BLOCKS],
      [GROUP_BLOCKS + 1, 2 * GROUP_BLOCKS, GROUP_BLOCKS],
      [2 * GROUP_BLOCKS + 1, 2 * GROUP_BLOCKS + 20, 20],
    ]);
    // Sealed groups carry a filter over all their blocks' terms; the open one has none yet.
    const needle = hashTerm(TermKind.attribute, "tag", "needle");
    expect(bloomHas(g[0]!.bloom!, needle)).toBe(true);
    expect(bloomHas(g[1]!.bloom!, needle)).toBe(false);
    expect(bloomHas(g[1]!.bloom!, hashTerm(TermKind.service, "svc-2"))).toBe(true);
    expect(g[2]!.bloom).toBeNull();

    const found = search("needle");
    expect(found.map((t) => t.traceId)).toEqual([spans[2 * GROUP_BLOCKS + 5]!.traceId, spans[10]!.traceId]);
    expect(search("nowhere")).toEqual([]);
    // A common term stops at `limit`, newest first, across groups.
    const hay = search("hay-1", 30);
    expect(hay).toHaveLength(30);
    // the newest block i with i % 5 === 1 (i = 146)
    expect(hay[0]!.startTime).toBe(T0 + 146 * 1000);
  });

  it("a writer restarted mid-group leaves that group without a filter and its spans still found", () => {
    appendBlocks(createAppender(db), 0, 30, [3]);
    // A second appender (a restarted writer) did not see the first group's terms.
    const later = appendBlocks(createAppender(db), 30, 30 + GROUP_BLOCKS + 2, [40, 30 + GROUP_BLOCKS + 1]);
    const g = groups();
    expect(g.map((r) => [r.id, r.blocks, r.bloom === null])).toEqual([
      [1, 30, true],
      [31, GROUP_BLOCKS, false],
      [31 + GROUP_BLOCKS, 2, true],
    ]);
    expect(search("needle")).toHaveLength(3);
    expect(search("needle").map((t) => t.traceId)).toContain(later[10]!.traceId);
  });

  it("retention drops groups once none of their blocks remain", () => {
    appendBlocks(createAppender(db), 0, GROUP_BLOCKS + 10, []);
    deleteSpansBefore(db, ns(T0 + (GROUP_BLOCKS + 2) * 1000));
    expect(groups().map((r) => r.id)).toEqual([GROUP_BLOCKS + 1]);
    // blocks 66..73 remain; i % 5 === 1 holds for 66 and 71
    expect(search("hay-1", 100)).toHaveLength(2);
  });
});
