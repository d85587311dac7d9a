/**
 * UI bench: time from navigation to an interactive service map, at 50 and 300 services
 * (about 3.3 edges per service: 1,000 edges at 300). For each size a fresh Cartograph is
 * started, a synthetic fleet is sent through the real OTel exporter, and headless Chromium
 * (/usr/bin/chromium) measures:
 *  - coldMs: navigation → every node placed (ELK layout in its worker, nothing cached),
 *  - warmMs: reload → nodes placed again (positions come from the per-tab cache, no ELK),
 *  - clickToPanelMs: click on a node → its side panel is shown,
 *  - renderedNodes: DOM nodes xyflow drew (onlyRenderVisibleElements keeps this low).
 * `benchMapRender({ baseUrl })` measures an already running, already populated server instead.
 */
import { chromium, type Page } from "@playwright/test";
import path from "node:path";
import { sendSyntheticFleet } from "../../tests/e2e/support/send-traffic";
import { ensureNextBuild, startCartograph, waitFor } from "../../tests/e2e/support/start-server";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface MapRenderResult {
  services: number;
  nodes: number;
  edges: number;
  coldMs: number;
  warmMs: number;
  clickToPanelMs: number;
  renderedNodes: number;
}

async function waitForPlacedMap(page: Page, nodes: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const canvas = document.querySelector('[data-testid="map-canvas"]');
      if (!canvas || Number(canvas.getAttribute("data-node-count")) < n) return false;
      // The canvas stays hidden until nodes are measured and the view is fitted: then it takes input.
      const drawn = document.querySelectorAll(".react-flow__node");
      return drawn.length > 0 && getComputedStyle(canvas).visibility !== "hidden" && [...drawn].some((d) => getComputedStyle(d).visibility !== "hidden");
    },
    nodes,
    { timeout: 120_000, polling: 50 },
  );
}

async function measure(baseUrl: string, services: number, screenshot?: string): Promise<MapRenderResult> {
  const map = (await (await fetch(`${baseUrl}/api/v1/service-map`)).json()) as { nodes: unknown[]; edges: unknown[] };
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    let t = Date.now();
    await page.goto(`${baseUrl}/map`);
    await waitForPlacedMap(page, map.nodes.length);
    const coldMs = Date.now() - t;
    const renderedNodes = await page.locator(".react-flow__node").count();
    if (screenshot) await page.screenshot({ path: screenshot });

    t = Date.now();
    await page.reload();
    await waitForPlacedMap(page, map.nodes.length);
    const warmMs = Date.now() - t;

    const target = page.locator('[data-testid="map-node"]').first();
    t = Date.now();
    await target.click();
    await page.getByTestId("side-panel").waitFor({ state: "visible", timeout: 30_000 });
    const clickToPanelMs = Date.now() - t;
    return { services, nodes: map.nodes.length, edges: map.edges.length, coldMs, warmMs, clickToPanelMs, renderedNodes };
  } finally {
    await browser.close();
  }
}

export async function benchMapRender(opts: { baseUrl?: string; sizes?: number[]; screenshotDir?: string } = {}): Promise<MapRenderResult[]> {
  if (opts.baseUrl) return [await measure(opts.baseUrl, NaN)];
  await ensureNextBuild(ROOT);
  const out: MapRenderResult[] = [];
  for (const services of opts.sizes ?? [50, 300]) {
    const server = await startCartograph(ROOT);
    try {
      const edges = Math.round(services * 3.34);
      const sent = await sendSyntheticFleet(server.otlpTracesUrl, { services, edges, callsPerEdge: 2 });
      await waitFor(async () => {
        const m = (await (await fetch(`${server.baseUrl}/api/v1/service-map`)).json()) as { nodes: unknown[]; edges: unknown[] };
        return m.nodes.length >= services && m.edges.length >= sent.edges;
      }, 120_000, `${services} services on the map`);
      const shot = opts.screenshotDir ? path.join(opts.screenshotDir, `service-map-${services}.png`) : undefined;
      out.push(await measure(server.baseUrl, services, shot));
    } finally {
      await server.stop();
    }
  }
  return out;
}

// `node --import tsx scripts/bench/ui-map.ts [sizes...]` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const res = await benchMapRender({ sizes: sizes.length ? sizes : undefined, screenshotDir: process.env.UI_BENCH_SCREENSHOTS });
  console.log(JSON.stringify(res, null, 2));
}
