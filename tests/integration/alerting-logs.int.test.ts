import { describe, expect, it } from "vitest";
import { createLogAppender, openTelemetryReader, openWriterDb } from "../../server/store/sqlite";
import { createStoreDataSource, ruleDefinitionSchema } from "../../server/alerting";
import type { LogRecord } from "../../server/normalize";
import { createClock, openAlerting, tempDataDir } from "./alerting-kit";

/**
 * A log rule on a real SQLite telemetry file, lines written through the store's append path:
 * it counts matching lines per service and window, and goes pending → firing → resolved
 * with `for` like every other rule.
 */
describe("log alert rules", () => {
  it("counts matching lines per service and moves through pending, firing and resolved", async () => {
    const dir = tempDataDir();
    const clock = createClock(Date.parse("2026-11-25T10:00:00Z"));
    const w = openWriterDb(dir);
    const append = createLogAppender(w);
    const line = (
      service: string,
      atMs: number,
      severity: number,
      body: string,
      attrs: Record<string, string> = {},
    ): LogRecord => ({
      timeNs: BigInt(atMs) * 1_000_000n,
      observedNs: BigInt(atMs) * 1_000_000n,
      severityNumber: severity,
      severityText: "",
      body,
      attributes: attrs,
      traceId: null,
      spanId: null,
      flags: 0,
      scope: { name: "", version: "" },
      resource: { service, namespace: null, environment: null, attributes: { "service.name": service } },
    });
    const write = (records: LogRecord[]) => w.transaction(() => append.appendLogs(records))();
    const t0 = clock.now();
    write([
      line("payments", t0 - 60_000, 17, "card declined by issuer", { region: "eu" }),
      line("payments", t0 - 50_000, 17, "card declined by issuer", { region: "eu" }),
      line("payments", t0 - 40_000, 17, "card declined by issuer", { region: "us" }),
      line("payments", t0 - 30_000, 9, "card declined (retrying)", { region: "eu" }),
      line("payments", t0 - 20_000, 17, "database timeout", { region: "eu" }),
      line("checkout", t0 - 10_000, 21, "card declined upstream", { region: "eu" }),
    ]);

    const telemetry = openTelemetryReader(dir);
    const alerting = await openAlerting(dir, createStoreDataSource(telemetry), clock.now);
    try {
      const rule = await alerting.service.createRule(
        ruleDefinitionSchema.parse({
          type: "logs",
          name: "Declines",
          service: "*",
          minSeverity: "error",
          text: "declined",
          attributes: { region: "eu" },
          op: ">=",
          threshold: 2,
          for: 60,
          windowSeconds: 300,
        }),
      );
      await alerting.tick();
      let alerts = await alerting.service.listAlerts();
      // payments: 2 matching lines (error, "declined", eu) → pending; checkout: 1 → not active.
      expect(alerts.map((a) => [a.labels.service, a.state, a.value])).toEqual([["payments", "pending", 2]]);
      clock.advance(61_000);
      await alerting.tick();
      alerts = await alerting.service.listAlerts();
      expect(alerts.map((a) => [a.labels.service, a.state])).toEqual([["payments", "firing"]]);
      // Five minutes later the window holds none of them: resolved, not no-data.
      clock.advance(300_000);
      await alerting.tick();
      alerts = await alerting.service.listAlerts();
      expect(alerts.every((a) => a.state === "resolved")).toBe(true);
      expect((await alerting.service.getRule(rule.id))?.health?.health).toBe("ok");
    } finally {
      await alerting.stop();
      telemetry.close();
      w.close();
    }
  });
});
