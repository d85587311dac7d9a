import path from "node:path";
import { fileURLToPath } from "node:url";
import { sendServiceMetrics } from "./send-metrics";
import { sendShopTraffic } from "./send-traffic";
import { ensureNextBuild, startCartograph, waitFor } from "./start-server";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The traffic the specs check against (see send-traffic.ts for its shape). */
export const SHOP_TRACES = 40;

export default async function globalSetup() {
  await ensureNextBuild(root, process.env.CARTOGRAPH_E2E_REBUILD === "1");
  const server = await startCartograph(root);
  try {
    await sendShopTraffic(server.otlpTracesUrl, { traces: SHOP_TRACES });
    await sendServiceMetrics(server.otlpTracesUrl.replace(/\/v1\/traces$/, "/v1/metrics"), "checkout");
    // Rollups and the graph are flushed on an interval: wait until the API shows all of it.
    await waitFor(
      async () => {
        const s = (await (await fetch(`${server.baseUrl}/api/v1/services`)).json()) as {
          services: Array<{ requests: number }>;
        };
        return s.services.length === 3 && s.services.every((x) => x.requests === SHOP_TRACES);
      },
      60_000,
      "3 services with all requests",
    );
    await waitFor(
      async () => {
        const m = (await (await fetch(`${server.baseUrl}/api/v1/service-map`)).json()) as {
          nodes: Array<{ kind: string }>;
          edges: unknown[];
        };
        return m.nodes.some((n) => n.kind === "database") && m.edges.length >= 4;
      },
      60_000,
      "service map with the database node",
    );
  } catch (e) {
    await server.stop();
    throw e;
  }
  process.env.E2E_BASE_URL = server.baseUrl;
  process.env.E2E_OTLP_TRACES_URL = server.otlpTracesUrl;
  return async () => {
    await server.stop();
  };
}
