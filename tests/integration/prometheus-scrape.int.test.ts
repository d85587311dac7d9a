import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eventually, getFreePort, startServer, type RunningServer } from "../helpers/start-server";
import { createExporter, createServiceTracer, SpanKind } from "../helpers/otel-sender";

// A real Prometheus (Debian's `prometheus`, installed by .ci/run) scraping /metrics is the
// proof that the exposition is valid: it marks a target down on any parse error.
let server: RunningServer;
let prom: ChildProcess;
let promUrl = "";
const dir = mkdtempSync(path.join(os.tmpdir(), "cartograph-prom-"));

beforeAll(async () => {
  server = await startServer();
  const port = await getFreePort();
  promUrl = `http://127.0.0.1:${port}`;
  const target = new URL(server.baseUrl).host;
  writeFileSync(
    path.join(dir, "prometheus.yml"),
    `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: cartograph\n    static_configs:\n      - targets: ["${target}"]\n`,
  );
  prom = spawn("prometheus", [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
});
afterAll(async () => {
  prom?.kill("SIGKILL");
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("/metrics scraped by a real Prometheus", () => {
  it("is up (the exposition parses) and reports the accepted span count", async () => {
    const t = createServiceTracer("scraped", createExporter("http/protobuf", server));
    for (let i = 0; i < 20; i++) t.span("GET /x", { kind: SpanKind.SERVER }).end();
    await t.flush();
    await t.shutdown();
    const target = await eventually(
      async () => {
        const r = await (await fetch(`${promUrl}/api/v1/targets`)).json();
        const tg = r.data?.activeTargets?.[0];
        return tg && tg.health !== "unknown" ? tg : null;
      },
      30_000,
      "prometheus to scrape",
    );
    expect(target.lastError).toBe("");
    expect(target.health).toBe("up");
    const value = await eventually(
      async () => {
        const r = await (await fetch(`${promUrl}/api/v1/query?query=cartograph_spans_accepted_total`)).json();
        const v = Number(r.data?.result?.[0]?.value?.[1] ?? 0);
        return v >= 20 ? v : null;
      },
      30_000,
      "cartograph_spans_accepted_total in Prometheus",
    );
    expect(value).toBe(20);
    // Write latency is a histogram the scraper accepts; at least one commit was timed.
    const commits = await eventually(
      async () => {
        const r = await (await fetch(`${promUrl}/api/v1/query?query=cartograph_store_write_seconds_count`)).json();
        const v = Number(r.data?.result?.[0]?.value?.[1] ?? 0);
        return v >= 1 ? v : null;
      },
      30_000,
      "cartograph_store_write_seconds_count in Prometheus",
    );
    expect(commits).toBeGreaterThanOrEqual(1);
  });
});
