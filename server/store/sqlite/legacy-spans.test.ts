import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./schema";
import { telemetryDbPath } from "./open";
import { openStoreForWriting } from "./open-writer";
import { readTraceSpans } from "./read-spans";

describe("legacy span rows", () => {
  it("are moved into blocks when the writer opens a database written before blocks", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "legacy-"));
    try {
      const old = new Database(telemetryDbPath(dir));
      old.exec(MIGRATIONS[0]!);
      old.exec(MIGRATIONS[1]!);
      old.pragma("user_version = 2");
      old
        .prepare(
          `INSERT INTO resources (id, service, namespace, environment, attributes) VALUES (7, 'web', 'shop', NULL, '{"service.name":"web"}')`,
        )
        .run();
      const ins = old.prepare(
        `INSERT INTO spans VALUES (?, ?, ?, 'web', ?, 2, ?, ?, ?, ?, NULL, 7, '{"name":"s","version":"1"}', ?, ?, NULL)`,
      );
      const t = "a".repeat(32);
      ins.run(
        t,
        "1".repeat(16),
        null,
        "GET /",
        1_000_000_000_000_000_000n,
        1_000_000_000_050_000_000n,
        50_000_000,
        0,
        '{"http.route":"/"}',
        null,
      );
      ins.run(
        t,
        "2".repeat(16),
        "1".repeat(16),
        "SELECT",
        1_000_000_000_010_000_000n,
        1_000_000_000_020_000_000n,
        10_000_000,
        2,
        '{"db.system":"postgresql"}',
        '[{"timeUnixNano":"1000000000015000000","name":"e","attributes":{}}]',
      );
      old.close();
      const db = openStoreForWriting(dir);
      const spans = readTraceSpans(db, t);
      expect(
        spans.map((s) => [s.spanId, s.parentSpanId, s.name, s.statusCode, s.resource.service, s.resource.namespace]),
      ).toEqual([
        ["1".repeat(16), null, "GET /", 0, "web", "shop"],
        ["2".repeat(16), "1".repeat(16), "SELECT", 2, "web", "shop"],
      ]);
      expect(spans[1]!.events).toEqual([{ timeUnixNano: 1_000_000_000_015_000_000n, name: "e", attributes: {} }]);
      expect(spans[0]!.scope).toEqual({ name: "s", version: "1" });
      expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'legacy_spans'`).pluck().get()).toBe(0);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
