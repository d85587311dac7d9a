import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";
import type { Span } from "@opentelemetry/api";
import { createExporter, createServiceTracer, SpanKind } from "../helpers/otel-sender";

/**
 * A client half waits in the pairing store for its server half (CARTOGRAPH_PAIRING_WAIT_MS).
 * In a rolling restart the callee's exporter often delivers that server half while Cartograph
 * restarts. The halves still waiting at a clean stop are saved with the last rollup flush and
 * wait on after the start: the late server half still pairs into the right edge, and a call
 * nobody answers still becomes its external node when its wait ends.
 */
const env = (waitMs: number) => ({
  CARTOGRAPH_ROLLUP_FLUSH_MS: "1000",
  CARTOGRAPH_PAIRING_WAIT_MS: String(waitMs),
});
const CALLS = 12;

interface MapBody {
  edges: Array<{ source: string; target: string; stats: { requests: number; errors: number } }>;
}

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const win = () => `from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`;
const requests = (m: MapBody, source: string, target: string) =>
  m.edges.filter((e) => e.source === source && e.target.includes(target)).reduce((n, e) => n + e.stats.requests, 0);

describe("pairing across a clean restart", () => {
  it("pairs a server half sent during the restart and settles unanswered calls after it", async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "cartograph-pairing-restart-"));
    dirs.push(dataDir);
    // A long wait: every half is still waiting when the process stops.
    const first = await startServer({ dataDir, env: env(120_000) });
    servers.push(first);
    const frontend = createServiceTracer("frontend", createExporter("http/protobuf", first));
    const calls: Span[] = [];
    for (let i = 0; i < CALLS; i++) {
      const root = frontend.span("GET /cart", { kind: SpanKind.SERVER });
      // Answered by checkout, whose exporter delivers its spans only after the restart.
      const call = frontend.span("POST", {
        kind: SpanKind.CLIENT,
        parent: root,
        attributes: { "http.request.method": "POST", "server.address": "checkout", "server.port": 8080 },
      });
      calls.push(call);
      // Answered by a third party that sends no spans at all.
      frontend
        .span("POST", {
          kind: SpanKind.CLIENT,
          parent: root,
          attributes: { "http.request.method": "POST", "server.address": "api.payments.example", "server.port": 443 },
        })
        .end();
      call.end();
      root.end();
    }
    await frontend.flush(); // acknowledged: stored, and waiting in the pairing store
    await frontend.shutdown();
    await first.stop();

    const second = await startServer({ dataDir, env: env(120_000) });
    servers.push(second);
    const checkout = createServiceTracer("checkout", createExporter("http/protobuf", second));
    for (const call of calls) checkout.span("POST /checkout", { kind: SpanKind.SERVER, parent: call }).end();
    await checkout.flush();
    await checkout.shutdown();
    const paired = await eventually(
      async () => {
        const m = await second.get<MapBody>(`/api/v1/service-map?${win()}`);
        return requests(m, "service:frontend", "service:checkout") === CALLS ? m : null;
      },
      30_000,
      "frontend → checkout paired from a client half stored before the restart",
    );
    // Paired, not drawn to a node named after the address as well.
    expect(requests(paired, "service:frontend", "checkout")).toBe(CALLS);
    expect(requests(paired, "service:frontend", "api.payments.example")).toBe(0);
    await second.stop();

    // The unanswered calls waited through a second restart; a short wait now ends it.
    const third = await startServer({ dataDir, env: env(1000) });
    servers.push(third);
    const settled = await eventually(
      async () => {
        const m = await third.get<MapBody>(`/api/v1/service-map?${win()}`);
        return requests(m, "service:frontend", "api.payments.example") === CALLS ? m : null;
      },
      30_000,
      "frontend → api.payments.example once the wait of the saved halves ended",
    );
    expect(requests(settled, "service:frontend", "service:checkout")).toBe(CALLS);
    expect(requests(settled, "service:frontend", "checkout")).toBe(CALLS);
  }, 240_000);
});
