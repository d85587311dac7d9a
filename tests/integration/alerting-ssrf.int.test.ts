import { afterEach, describe, expect, it } from "vitest";
import { createClock, createFakeSource, openAlerting, startSink, tempDataDir } from "./alerting-kit";

/** Webhook targets pointing at cloud metadata are refused, directly and through a redirect. */
describe("alerting webhook SSRF", () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
  });

  it("refuses 169.254.169.254 and an allowed receiver that redirects there, recording why", async () => {
    const redirector = await startSink(() => ({ status: 307, location: "http://169.254.169.254/latest/meta-data/" }));
    cleanup.push(redirector.close);
    const clock = createClock();
    const src = createFakeSource();
    const a = await openAlerting(tempDataDir(), src.ds, clock.now);
    cleanup.push(() => a.stop());
    const direct = await a.service.createChannel({
      type: "webhook",
      name: "meta",
      enabled: true,
      settings: { url: "http://169.254.169.254/latest/meta-data/", headers: {}, sendResolved: true },
    });
    const viaRedirect = await a.service.createChannel({
      type: "slack",
      name: "redir",
      enabled: true,
      settings: { url: redirector.url + "/r", sendResolved: true },
    });
    await a.service.createRule({
      type: "service",
      name: "Errors",
      enabled: true,
      service: "*",
      signal: "error_rate",
      forEach: true,
      minRequests: 0,
      op: ">",
      threshold: 0.1,
      for: 0,
      keepFiringFor: 0,
      labels: {},
      annotations: {},
      channelIds: [direct.id, viaRedirect.id],
      onNoData: "no-data",
      onError: "error",
      limit: 100,
      windowSeconds: 300,
    });
    src.setErrorRate("orders", 0.9);
    await a.tick();
    expect(redirector.requests()).toBe(1);
    const rows = await a.service.db.notificationOutbox.findMany({ orderBy: { channelId: "asc" } });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.state).toBe("failed");
      expect(r.lastError).toMatch(/refused .*169\.254\.169\.254.*always refused/);
    }
    clock.advance(60_000);
    await a.dispatch();
    expect(redirector.requests()).toBe(1);
  });
});
