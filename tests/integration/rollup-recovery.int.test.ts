import { describe, expect, it } from "vitest";
import { eventually, type RunningServer } from "../helpers/start-server";
import { describeLastHour as win, trackServerRuns } from "../helpers/server-runs";
import { createExporter, createServiceTracer, SpanKind, SpanStatusCode } from "../helpers/otel-sender";

/**
 * The map and RED come from aggregates the writer keeps in memory between rollup flushes. A
 * kill -9 between two flushes must not lose them: at the next start the spans stored after
 * the last flush are aggregated again, each exactly once (the flush and its mark commit
 * together). Here the flush interval is longer than the test, so before the kill every
 * aggregate exists only in memory. Also in the ClickHouse suite, where the leader recovers the
 * killed writer's RED from its stored spans (the store's rollup-epochs.ts).
 */
const CALLS = 30;
const FAILED = 4;
const env = { CARTOGRAPH_ROLLUP_FLUSH_MS: "60000", CARTOGRAPH_PAIRING_WAIT_MS: "1000" };

interface ServicesBody {
  services: Array<{ name: string; requests: number; errors: number }>;
}

interface MapBody {
  edges: Array<{ source: string; target: string; stats: { requests: number; errors: number } }>;
}

/** frontend → checkout (HTTP, the server half in checkout) → postgresql, CALLS times, FAILED of them failing. */
async function sendShop(server: RunningServer): Promise<void> {
  const exporter = () => createExporter("http/protobuf", server);
  const frontend = createServiceTracer("frontend", exporter());
  const checkout = createServiceTracer("checkout", exporter());
  for (let i = 0; i < CALLS; i++) {
    const root = frontend.span("GET /cart", { kind: SpanKind.SERVER });
    const call = frontend.span("POST", {
      kind: SpanKind.CLIENT,
      parent: root,
      attributes: { "http.request.method": "POST", "server.address": "checkout", "server.port": 8080 },
    });
    const served = checkout.span("POST /checkout", { kind: SpanKind.SERVER, parent: call });
    checkout
      .span("SELECT carts", {
        kind: SpanKind.CLIENT,
        parent: served,
        attributes: { "db.system.name": "postgresql", "server.address": "db", "db.namespace": "shop" },
      })
      .end();
    if (i < FAILED) {
      served.setStatus({ code: SpanStatusCode.ERROR });
      call.setStatus({ code: SpanStatusCode.ERROR });
    }
    served.end();
    call.end();
    root.end();
  }
  // flush() resolves once the exporter's requests were answered: every span is acknowledged.
  await Promise.all([frontend.flush(), checkout.flush()]);
  await Promise.all([frontend.shutdown(), checkout.shutdown()]);
}

const runs = trackServerRuns("rollup-kill");

describe("rollups across a kill -9", () => {
  it("keeps every acknowledged call on the map and in RED, counted once", async () => {
    const dataDir = runs.createDataDir();
    const first = await runs.start({ dataDir, env });
    await sendShop(first);
    // Aggregated in memory (the live map reads the writer's rollups: nothing is flushed yet).
    await first.kill();

    const second = await runs.start({ dataDir, env });
    const edge = (m: MapBody, source: string, target: string) =>
      m.edges.find((e) => e.source === source && e.target.startsWith(target))?.stats;
    const servicesOf = async (server: RunningServer) => {
      const body = await server.get<ServicesBody>(`/api/v1/services?${win()}`);
      return Object.fromEntries(body.services.map((s) => [s.name, s]));
    };
    // The embedded store aggregates the spans after its mark at start; the ClickHouse store's
    // leader recovers them once the killed writer has been silent long enough (seconds).
    const { map, byName } = await eventually(
      async () => {
        const m = await second.get<MapBody>(`/api/v1/service-map?${win()}`);
        const db = edge(m, "service:checkout", "database:postgresql");
        if (edge(m, "service:frontend", "service:checkout")?.requests !== CALLS || db?.requests !== CALLS) return null;
        const services = await servicesOf(second);
        return services.checkout?.requests === CALLS && services.frontend?.requests === CALLS
          ? { map: m, byName: services }
          : null;
      },
      90_000,
      "the calls from before the kill on the map and in RED",
    );
    expect(edge(map, "service:frontend", "service:checkout")).toMatchObject({ requests: CALLS, errors: FAILED });
    expect(byName.frontend).toMatchObject({ requests: CALLS });
    expect(byName.checkout).toMatchObject({ requests: CALLS, errors: FAILED });

    // A second restart (clean this time) replays nothing again: counts stay as they are.
    await second.stop();
    const third = await runs.start({ dataDir, env });
    await new Promise((r) => setTimeout(r, 3000));
    const again = await third.get<MapBody>(`/api/v1/service-map?${win()}`);
    expect(edge(again, "service:frontend", "service:checkout")).toMatchObject({ requests: CALLS, errors: FAILED });
    expect(edge(again, "service:checkout", "database:postgresql")?.requests).toBe(CALLS);
    const servicesAgain = await servicesOf(third);
    expect(servicesAgain.frontend).toMatchObject({ requests: CALLS });
    expect(servicesAgain.checkout).toMatchObject({ requests: CALLS, errors: FAILED });
  }, 420_000);
});
