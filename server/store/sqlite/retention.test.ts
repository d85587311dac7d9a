import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { countStoredSpans, createAppender, createSqliteStore, measureUsedBytes, openWriterDb, readTraceSpans } from ".";
import type { Span } from "../../normalize";

const HOUR = 3_600_000;
function span(i: number, atMs: number): Span {
  const start = BigInt(atMs) * 1_000_000n;
  return {
    traceId: i.toString(16).padStart(32, "0"),
    spanId: "1".padStart(16, "0"),
    parentSpanId: null,
    name: "op",
    kind: 2,
    startNs: start,
    endNs: start + 1_000_000n,
    statusCode: 0,
    statusMessage: "",
    attributes: { pad: "x".repeat(500) },
    events: [],
    links: [],
    scope: { name: "", version: "" },
    resource: { service: "svc", namespace: null, environment: null, attributes: { "service.name": "svc" } },
  };
}

describe("retention", async () => {
  it("deletes raw spans older than the raw retention and rollups older than the rollup retention", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "retention-"));
    try {
      const db = openWriterDb(dir);
      const now = 1_764_000_000_000;
      const app = createAppender(db);
      // One block per append: retention drops whole blocks.
      for (const s of [span(1, now - 10 * HOUR), span(2, now - 2 * HOUR), span(3, now - 1000)])
        db.transaction(() => app.appendSpans([s], []))();
      const insertRollup = db.prepare(
        "INSERT INTO red_minute (service, operation, kind, minute, count, errors, sketch) VALUES ('svc', 'op', 2, ?, 1, 0, x'00')",
      );
      insertRollup.run(Math.floor((now - 50 * HOUR) / 60_000));
      insertRollup.run(Math.floor((now - 5 * HOUR) / 60_000));
      const insertNode = db.prepare(
        "INSERT INTO graph_nodes (id, kind, name, detail, first_seen_ms, last_seen_ms) VALUES (?, 'service', ?, '{}', ?, ?)",
      );
      insertNode.run("service:gone", "gone", now - 60 * HOUR, now - 30 * HOUR);
      insertNode.run("service:kept", "kept", now - 60 * HOUR, now - 2 * HOUR);
      const insertEdge = db.prepare(
        "INSERT INTO graph_edges (source, target, protocol, first_seen_ms, last_seen_ms, detail) VALUES ('service:kept', ?, 'http', ?, ?, '{}')",
      );
      insertEdge.run("service:gone", now - 60 * HOUR, now - 30 * HOUR);
      insertEdge.run("service:other", now - 60 * HOUR, now - 2 * HOUR);
      const r = await createSqliteStore(db).retention.enforceRetention(
        { rawMaxAgeMs: 5 * HOUR, rollupMaxAgeMs: 24 * HOUR, diskBudgetBytes: 0 },
        now,
      );
      expect(r.spansDeleted).toBe(1);
      expect(r.rollupsDeleted).toBe(3);
      expect(countStoredSpans(db)).toBe(2);
      expect(db.prepare("SELECT count(*) FROM red_minute").pluck().get()).toBe(1);
      expect(db.prepare("SELECT id FROM graph_nodes").pluck().all()).toEqual(["service:kept"]);
      expect(db.prepare("SELECT target FROM graph_edges").pluck().all()).toEqual(["service:other"]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("trims the oldest span blocks until the database fits the disk budget", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "retention-"));
    try {
      const db = openWriterDb(dir);
      const now = 1_764_000_000_000;
      const app = createAppender(db);
      const spans = Array.from({ length: 20_000 }, (_, i) => span(i + 10, now - 20_000 + i));
      for (let i = 0; i < spans.length; i += 500) db.transaction(() => app.appendSpans(spans.slice(i, i + 500), []))();
      const before = measureUsedBytes(db);
      const budget = Math.floor(before / 2);
      const r = await createSqliteStore(db).retention.enforceRetention(
        { rawMaxAgeMs: 100 * HOUR, rollupMaxAgeMs: 100 * HOUR, diskBudgetBytes: budget },
        now,
      );
      expect(r.usedBytes).toBeLessThanOrEqual(budget);
      expect(r.spansDeleted).toBeGreaterThan(0);
      expect(r.spansDeleted).toBeLessThan(spans.length * 0.8);
      // Whole blocks of the oldest spans went; the newest are the ones kept.
      expect(r.spansDeleted % 500).toBe(0);
      expect(countStoredSpans(db)).toBe(spans.length - r.spansDeleted);
      expect(readTraceSpans(db, spans[r.spansDeleted - 1]!.traceId)).toEqual([]);
      expect(readTraceSpans(db, spans[r.spansDeleted]!.traceId)).toHaveLength(1);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
