import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSqliteStore, openWriterDb } from "../../store/sqlite";
import type { Span } from "../../normalize";
import { createRedAggregator } from "./red-aggregator";
import { decodeSketch, quantile } from "./sketch";

function span(ms: number, durMs: number, error = false): Span {
  const start = BigInt(ms) * 1_000_000n;
  return {
    traceId: "a".repeat(32),
    spanId: "b".repeat(16),
    parentSpanId: null,
    name: "GET /x",
    kind: 2,
    startNs: start,
    endNs: start + BigInt(durMs * 1_000_000),
    statusCode: error ? 2 : 0,
    statusMessage: "",
    attributes: {},
    events: [],
    links: [],
    scope: { name: "", version: "" },
    resource: { service: "api", namespace: "ns", environment: "prod", attributes: {} },
  };
}

describe("RED rollups", () => {
  it("counts per minute and merges with the stored row after a restart instead of overwriting it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "red-"));
    try {
      const db = openWriterDb(dir);
      const store = createSqliteStore(db);
      const t0 = 1_764_000_000_000; // a minute boundary
      const a = createRedAggregator();
      a.observe([span(t0, 10), span(t0 + 1000, 20, true), span(t0 + 61_000, 30)], t0 + 62_000);
      await a.flush(store, t0 + 62_000);
      const b = createRedAggregator(); // a restarted process
      b.observe([span(t0 + 2000, 40)], t0 + 63_000);
      await b.flush(store, t0 + 63_000);
      const rows = db.prepare("SELECT minute, count, errors, sketch FROM red_minute ORDER BY minute").all() as {
        minute: number;
        count: number;
        errors: number;
        sketch: Buffer;
      }[];
      expect(rows.map((r) => [r.minute, r.count, r.errors])).toEqual([
        [t0 / 60_000, 3, 1],
        [t0 / 60_000 + 1, 1, 0],
      ]);
      const sk = decodeSketch(rows[0]!.sketch);
      expect(quantile(sk, 1)!).toBeCloseTo(40, 0);
      const svc = db.prepare("SELECT * FROM services").get() as Record<string, unknown>;
      expect(svc).toMatchObject({
        name: "api",
        namespace: "ns",
        environment: "prod",
        first_seen_ms: t0,
        last_seen_ms: t0 + 61_000,
      });
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
