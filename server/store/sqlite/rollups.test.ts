import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSqliteStore, openWriterDb } from ".";
import { addToSketch, createSketch, decodeSketch, encodeSketch, quantile } from "../sketch";

const row = (minute: number, values: number[], errors = 0) => {
  const sk = createSketch();
  for (const v of values) addToSketch(sk, v);
  return {
    service: "api",
    environment: "",
    operation: "GET /",
    kind: 2,
    minute,
    count: values.length,
    errors,
    sketch: encodeSketch(sk),
  };
};

describe("RED rollups on SQLite", () => {
  it("adds every flush of an open minute to the stored row, and late rows of a closed minute too", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "rollups-"));
    try {
      const db = openWriterDb(dir);
      const store = createSqliteStore(db);
      const all = createSketch();
      const flushes = [
        [1, 2, 3],
        [40, 50],
        [7, 8, 9, 10],
      ];
      for (const values of flushes) {
        for (const v of values) addToSketch(all, v);
        await store.rollups.mergeRed([row(100, values, 1)], []);
      }
      // Minute 100 closes (newer minutes arrive), then a late row for it still adds up.
      await store.rollups.mergeRed([row(110, [1])], []);
      await store.rollups.mergeRed([row(100, [99])], []);
      addToSketch(all, 99);
      // A failed flush writes nothing and leaves no stale state behind for the next one.
      db.exec(
        "CREATE TRIGGER refuse BEFORE INSERT ON red_minute WHEN NEW.minute = 111 BEGIN SELECT RAISE(ABORT, 'refused'); END",
      );
      await expect((async () => store.rollups.mergeRed([row(100, [5]), row(111, [1])], []))()).rejects.toThrow(
        /refused/,
      );
      db.exec("DROP TRIGGER refuse");
      await store.rollups.mergeRed([row(100, [6])], []);
      addToSketch(all, 6);
      const [got] = await store.rollups.readRed({ fromMinute: 100, toMinute: 101 });
      expect(got).toMatchObject({ minute: 100, count: 11, errors: 3 });
      const sk = decodeSketch(got!.sketch);
      for (const q of [0.5, 0.9, 0.99]) expect(quantile(sk, q)).toBe(quantile(all, q));
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
