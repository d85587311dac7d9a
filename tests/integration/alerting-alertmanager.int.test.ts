import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createClock, createFakeSource, openAlerting, startSink, tempDataDir } from "./alerting-kit";

/**
 * A real Prometheus Alertmanager (Debian package `prometheus-alertmanager`) receives our
 * alerts on /api/v2/alerts and forwards them to a webhook sink: firing, then resolved.
 */
const AM_BIN = "/usr/bin/prometheus-alertmanager";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("alerting → real Alertmanager", () => {
  let am: ChildProcess;
  let amUrl = "";
  let sink: Awaited<ReturnType<typeof startSink>>;

  beforeAll(async () => {
    if (!existsSync(AM_BIN)) throw new Error(`${AM_BIN} missing: apt-get install -y prometheus-alertmanager`);
    sink = await startSink();
    const dir = tempDataDir();
    mkdirSync(path.join(dir, "am"), { recursive: true });
    const cfg = path.join(dir, "alertmanager.yml");
    writeFileSync(
      cfg,
      `route:\n  receiver: sink\n  group_by: ['...']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: sink\n    webhook_configs:\n      - url: ${sink.url}/from-am\n        send_resolved: true\n`,
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      AM_BIN,
      [
        `--config.file=${cfg}`,
        `--storage.path=${path.join(dir, "am")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        "--cluster.listen-address=",
      ],
      { stdio: "ignore" },
    );
    await waitFor(async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok, "alertmanager ready");
  });

  afterAll(async () => {
    if (am?.pid) process.kill(am.pid, "SIGTERM");
    await sink?.close();
  });

  it("receives pending → firing → resolved and forwards firing and resolved", async () => {
    // Times stay in the past of the real clock: Alertmanager judges endsAt against its own clock.
    const clock = createClock(Date.now() - 3 * 60_000);
    const src = createFakeSource();
    const a = await openAlerting(tempDataDir(), src.ds, clock.now);
    try {
      const ch = await a.service.createChannel({
        type: "alertmanager",
        name: "am",
        enabled: true,
        settings: { url: amUrl, headers: {}, sendResolved: true },
      });
      await a.service.createRule({
        type: "service",
        name: "CheckoutErrors",
        enabled: true,
        service: "checkout",
        signal: "error_rate",
        forEach: true,
        minRequests: 0,
        op: ">",
        threshold: 0.1,
        for: 60,
        keepFiringFor: 0,
        labels: { severity: "page" },
        annotations: {},
        channelIds: [ch.id],
        onNoData: "no-data",
        onError: "error",
        limit: 100,
        windowSeconds: 300,
      });
      src.setErrorRate("checkout", 0.4);
      await a.tick();
      expect((await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as unknown[]).toHaveLength(0); // pending: nothing sent
      clock.advance(60_000);
      await a.tick();
      const active = await waitFor(async () => {
        const list = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as {
          labels: Record<string, string>;
          status: { state: string };
        }[];
        return list.find((x) => x.labels.service === "checkout");
      }, "alert in Alertmanager");
      expect(active.labels).toMatchObject({ alertname: "CheckoutErrors", severity: "page" });
      expect(active.status.state).toBe("active");
      await waitFor(() => sink.deliveries.find((d) => d.body.status === "firing"), "firing from Alertmanager");

      src.setErrorRate("checkout", 0);
      clock.advance(60_000);
      await a.tick();
      const resolved = await waitFor(
        () => sink.deliveries.find((d) => d.body.status === "resolved"),
        "resolved from Alertmanager",
      );
      expect(resolved.body.alerts[0].labels).toMatchObject({ alertname: "CheckoutErrors", service: "checkout" });
      const left = (await (await fetch(`${amUrl}/api/v2/alerts?active=true`)).json()) as {
        labels: Record<string, string>;
      }[];
      expect(left.filter((x) => x.labels.service === "checkout")).toHaveLength(0);
      expect(sink.deliveries.filter((d) => d.body.status === "firing")).toHaveLength(1);
    } finally {
      await a.stop();
    }
  });
});
