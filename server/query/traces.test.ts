import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TelemetryReader } from "../store";
import { createAppender, openTelemetryReader, openWriterDb, type Db } from "../store/sqlite";
import { createSpanFactory } from "../../tests/fixtures/servicegraph/span-factory";
import type { Span } from "../normalize";
import { getTrace } from "./traces";

let dir: string;
let db: Db;
let reader: TelemetryReader;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "trace-page-"));
  db = openWriterDb(dir);
  reader = openTelemetryReader(dir);
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(spans: Span[]): void {
  const app = createAppender(db);
  db.transaction(() => app.appendSpans(spans, []))();
}

describe("trace detail pages", () => {
  it("answers a huge trace in pages that together hold every span once, in start order, with the total and a note", async () => {
    const f = createSpanFactory();
    const root = f.server("api", { durationMs: 5000 });
    // 2,503 spans, many sharing a start time: the cursor must not skip or repeat ties.
    const spans = [
      root,
      ...Array.from({ length: 2502 }, (_, i) =>
        f.client("api", { parent: root, startMs: f.baseMs + Math.floor(i / 7) }),
      ),
    ];
    store(spans);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (await getTrace(reader, root.traceId, { limit: 1000, cursor }))!;
      pages++;
      expect(page.totalSpans).toBe(2503);
      expect(page.truncated).toBe(true);
      expect(page.spans.length).toBeLessThanOrEqual(1000);
      seen.push(...page.spans.map((s) => s.spanId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(2503);
    expect(seen).toHaveLength(2503);
    expect(seen[0]).toBe(root.spanId);
  });

  it("sends a small trace whole, not truncated, without a cursor", async () => {
    const f = createSpanFactory();
    const root = f.server("api");
    store([root, f.client("api", { parent: root })]);
    const page = (await getTrace(reader, root.traceId, { limit: 2000 }))!;
    expect(page).toMatchObject({ totalSpans: 2, truncated: false, nextCursor: null });
    expect(page.spans).toHaveLength(2);
    expect(await getTrace(reader, "f".repeat(32), { limit: 10 })).toBeNull();
  });
});
