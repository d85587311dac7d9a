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
  prom = spawn(
    "prometheus",
    [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
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

  it("keeps every service-graph edge series on /metrics while only changed ones cross threads", async () => {
    const web = createServiceTracer("web", createExporter("http/protobuf", server));
    const callees = new Map([
      ["api", createServiceTracer("api", createExporter("http/protobuf", server))],
      ["stock", createServiceTracer("stock", createExporter("http/protobuf", server))],
    ]);
    const call = async (callee: string, times: number) => {
      const t = callees.get(callee)!;
      for (let i = 0; i < times; i++) {
        const root = web.span("GET /page", { kind: SpanKind.SERVER });
        const client = web.span(`GET ${callee}`, { kind: SpanKind.CLIENT, parent: root });
        t.span("GET /x", { kind: SpanKind.SERVER, parent: client }).end();
        client.end();
        root.end();
      }
      await Promise.all([web.flush(), t.flush()]);
    };
    const edgeTotal = (callee: string, atLeast: number) =>
      eventually(
        async () => {
          const q = encodeURIComponent(`traces_service_graph_request_total{client="web",server="${callee}"}`);
          const r = await (await fetch(`${promUrl}/api/v1/query?query=${q}`)).json();
          const v = Number(r.data?.result?.[0]?.value?.[1] ?? 0);
          return v >= atLeast ? v : null;
        },
        30_000,
        `web → ${callee} in Prometheus`,
      );
    await call("api", 3);
    expect(await edgeTotal("api", 3)).toBe(3);
    // Later traffic on another edge only: the first edge's series stays, with its count.
    await call("stock", 2);
    expect(await edgeTotal("stock", 2)).toBe(2);
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(text).toContain('traces_service_graph_request_total{client="web",server="api",connection_type=""} 3');
    await Promise.all([web.shutdown(), ...[...callees.values()].map((t) => t.shutdown())]);
  });
});
