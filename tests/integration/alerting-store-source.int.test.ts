import { describe, expect, it } from "vitest";
import { openTelemetryReader, openWriterDb } from "../../server/store/sqlite";
import { createStoreDataSource, evaluateRule, ruleDefinitionSchema } from "../../server/alerting";
import { tempDataDir } from "./alerting-kit";

/** The store-backed data source on a real SQLite telemetry file: a silent service is "absent". */
describe("alerting store data source", () => {
  it("reports a service that stopped sending as zero requests, so no-data rules fire for it", async () => {
    const dir = tempDataDir();
    const now = Date.parse("2026-11-25T10:00:00Z");
    const w = openWriterDb(dir);
    w.prepare(
      `INSERT INTO services (name, namespace, environment, first_seen_ms, last_seen_ms) VALUES (?, NULL, '', ?, ?)`,
    ).run("billing", now - 3600_000, now - 20 * 60_000);
    w.close();
    const t = openTelemetryReader(dir);
    try {
      const ds = createStoreDataSource(t);
      const window = { fromMs: now - 300_000, toMs: now };
      const rows = await ds.serviceRed(window);
      expect(rows).toEqual([{ service: "billing", requests: 0, errors: 0, p50Ms: null, p95Ms: null, p99Ms: null }]);
      expect(await ds.operationRed(window)).toEqual([]);
      const rule = { id: "r", ...ruleDefinitionSchema.parse({ type: "no-data", name: "Silent", service: "*" }) };
      const ev = evaluateRule(rule, { kind: "red", rows }, now);
      expect(ev.status === "ok" && ev.samples.filter((s) => s.active).map((s) => s.labels.service)).toEqual([
        "billing",
      ]);
    } finally {
      t.close();
    }
  });
});
