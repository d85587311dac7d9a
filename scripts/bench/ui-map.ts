/**
 * UI bench: time from navigation to an interactive service map, at 50 and 300 services
 * (about 3.3 edges per service: 1,000 edges at 300). For each size a fresh Cartograph is
 * started, a synthetic fleet is sent through the real OTel exporter, and headless Chromium
 * (/usr/bin/chromium) measures:
 *  - coldMs: a first visit, 15 s after the fleet's map was complete: navigation → every node
 *    placed and the map interactive (nothing cached in the browser; the server's warming round
 *    has laid the default view out, as it does for any user arriving after the topology settled;
 *    the server has rendered one page before, so its one-time module loading is not counted),
 *  - unwarmedMs: a first visit to a view nobody opened (`?group=none`): the server runs ELK on
 *    request, in its layout thread,
 *  - newBrowserMs: the same in a second, fresh browser (nothing cached in the browser; the
 *    server answers the layout from its cache): a user opening a map someone has seen,
 *  - clientLayoutMs: the same with the layout endpoint blocked, so ELK runs in the browser's
 *    worker (how every first visit worked before the server laid maps out),
 *  - edgesMs / newBrowserEdgesMs: navigation → every edge mounted (edges are added in slices
 *    after the nodes are on screen),
 *  - warmMs: reload → nodes placed again (positions come from the per-tab cache, no ELK),
 *  - clickToPanelMs: click on a node → its side panel is shown,
 *  - renderedNodes: DOM nodes xyflow drew (onlyRenderVisibleElements keeps this low),
 *  - coldSteps: when the map's request started and ended, the layout was done and the map was
 *    fitted (performance marks of the page), after navigation start,
 *  - hoverMs / zoomMs: median and max of 10 interactions, each from the event to the painted
 *    frame that shows its result, with performance marks (see measureFrames),
 *  - traceOpenMs (largest size only): navigation to a 10,000-span trace → its first page of rows
 *    (2,000 spans) shows; traceAllSpansMs: "load more" until all 10,000 are in the waterfall.
 * `benchMapRender({ baseUrl })` measures an already running, already populated server instead.
 */
import { chromium, type Page } from "@playwright/test";
import path from "node:path";
import { sendBigTrace } from "../../tests/e2e/support/big-trace";
import { sendSyntheticFleet } from "../../tests/e2e/support/send-traffic";
import { ensureNextBuild, startCartograph, waitFor } from "../../tests/e2e/support/start-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Wait between the fleet's map being complete and the first visit (one warming round and more). */
const WARM_WAIT_MS = 15_000;

export interface MapRenderResult {
  services: number;
  nodes: number;
  edges: number;
  coldMs: number;
  /** Milliseconds after navigation start (the page's clock): the map's request, layout, first interactive frame. */
  coldSteps: {
    documentEndMs: number;
    domContentLoadedMs: number;
    mapRequestStartMs: number;
    mapResponseEndMs: number;
    mapTransferBytes: number;
    mapBodyBytes: number;
    mapServerTiming: string;
    scriptBytes: number;
    scriptBodyBytes: number;
    layoutRequestStartMs: number;
    layoutResponseEndMs: number;
    layoutDoneMs: number;
    interactiveMs: number;
  };
  /** A first visit to a grouping nobody opened (`?group=none`): the server lays it out on request. */
  unwarmedMs: number;
  edgesMs: number;
  newBrowserMs: number;
  newBrowserEdgesMs: number;
  clientLayoutMs: number;
  warmMs: number;
  clickToPanelMs: number;
  renderedNodes: number;
  hoverMs: { median: number; max: number };
  zoomMs: { median: number; max: number };
  traceOpenMs?: number;
  traceAllSpansMs?: number;
}

/**
 * Event → the first frame that shows its result has been painted, measured in the page with
 * performance marks: after the event, wait (checking every frame) for the change a user would
 * see (hover: the lit edges or the hover card; zoom: a new viewport transform), then
 * for one more animation frame and a task after it (a task queued in a frame's rAF callback
 * runs once that frame has been painted).
 */
async function measureFrames(
  page: Page,
  kind: "hover" | "zoom",
  runs: number,
): Promise<{ median: number; max: number }> {
  const times = await page.evaluate(
    async ({ kind, runs }) => {
      const nextFrame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
      const painted = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const canvas = document.querySelector<HTMLElement>('[data-testid="map-canvas"]')!;
      const viewport = document.querySelector<HTMLElement>(".react-flow__viewport")!;
      const shown = () =>
        kind === "hover"
          ? canvas.querySelector('[data-testid="hover-edges"]') !== null ||
            canvas.querySelector('[data-testid="map-tooltip"]') !== null
          : viewport.style.transform !== before;
      let before = viewport.style.transform;
      const nodes = [...document.querySelectorAll<HTMLElement>('[data-testid="map-node"]')];
      const pane = document.querySelector<HTMLElement>(".react-flow__pane")!;
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const el = kind === "hover" ? nodes[i % nodes.length]!.closest<HTMLElement>(".react-flow__node")! : pane;
        const r = el.getBoundingClientRect();
        const at = { clientX: r.x + r.width / 2, clientY: r.y + r.height / 2, bubbles: true, cancelable: true };
        before = viewport.style.transform;
        performance.mark(`${kind}-start-${i}`);
        if (kind === "hover") el.dispatchEvent(new MouseEvent("mouseover", at));
        else el.dispatchEvent(new WheelEvent("wheel", { ...at, deltaY: i % 2 === 0 ? -120 : 120 }));
        const giveUp = performance.now() + 5_000;
        while (!shown() && performance.now() < giveUp) await nextFrame();
        await painted();
        performance.mark(`${kind}-end-${i}`);
        out.push(performance.measure(`${kind}-${i}`, `${kind}-start-${i}`, `${kind}-end-${i}`).duration);
        if (kind === "hover") {
          el.dispatchEvent(new MouseEvent("mouseout", at));
          // The next run starts from a map without hover (else it would count as shown at once).
          while (shown() && performance.now() < giveUp + 5_000) await nextFrame();
        }
        await painted();
      }
      return out;
    },
    { kind, runs },
  );
  const sorted = [...times].sort((a, b) => a - b);
  return { median: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted[sorted.length - 1]!) };
}

/**
 * Navigation to a `spans`-span trace → its first page of rows is on screen (traceOpenMs), then
 * "load more" until every span is in the waterfall (traceAllSpansMs, from the first click).
 */
async function measureTraceOpen(
  baseUrl: string,
  traceId: string,
  spans: number,
): Promise<{ openMs: number; allSpansMs: number }> {
  await waitFor(
    async () => {
      const r = await fetch(`${baseUrl}/api/v1/traces/${traceId}?limit=1`);
      return r.ok && ((await r.json()) as { totalSpans: number }).totalSpans >= spans;
    },
    120_000,
    `${spans}-span trace stored`,
  );
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}/traces`); // warm the app shell, as a user arriving from the list
    let t = Date.now();
    await page.goto(`${baseUrl}/traces/${traceId}`);
    await page.waitForFunction(
      () =>
        Number(document.querySelector('[data-testid="waterfall"]')?.getAttribute("data-rows")) > 0 &&
        document.querySelector(".wf-row") !== null,
      null,
      { timeout: 120_000, polling: 20 },
    );
    const openMs = Date.now() - t;
    t = Date.now();
    for (;;) {
      const rows = Number(await page.getByTestId("waterfall").getAttribute("data-rows"));
      if (rows >= spans) break;
      await page.getByTestId("load-more-spans").click();
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-testid="waterfall"]')?.getAttribute("data-rows")) > n,
        rows,
        { timeout: 60_000, polling: 20 },
      );
    }
    return { openMs, allSpansMs: Date.now() - t };
  } finally {
    await browser.close();
  }
}

async function waitForPlacedMap(page: Page, nodes: number): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const canvas = document.querySelector('[data-testid="map-canvas"]');
      if (!canvas || Number(canvas.getAttribute("data-node-count")) < n) return false;
      // The canvas stays hidden until nodes are measured and the view is fitted: then it takes input.
      const drawn = document.querySelectorAll(".react-flow__node");
      return (
        drawn.length > 0 &&
        getComputedStyle(canvas).visibility !== "hidden" &&
        [...drawn].some((d) => getComputedStyle(d).visibility !== "hidden")
      );
    },
    nodes,
    { timeout: 120_000, polling: 50 },
  );
}

/** Milliseconds after navigation start when every edge was mounted (the canvas's mark). */
async function waitForEdgesMark(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName("cartograph:map-edges").length > 0, null, {
    timeout: 120_000,
    polling: 50,
  });
  return page.evaluate(() => Math.round(performance.getEntriesByName("cartograph:map-edges")[0]!.startTime));
}

async function measure(baseUrl: string, services: number, screenshot?: string): Promise<MapRenderResult> {
  const map = (await (await fetch(`${baseUrl}/api/v1/service-map`)).json()) as { nodes: unknown[]; edges: unknown[] };
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // The TypeScript loader keeps function names through a `__name` helper that the functions
    // handed to page.evaluate carry into the page; give the page a no-op one.
    await page.addInitScript({ content: "window.__name = (f) => f;" });
    // A server that has rendered one page (as any server a user meets has): the first request of a
    // fresh process also loads the UI's route modules, which is not the map's cost.
    await fetch(`${baseUrl}/map`).then((r) => r.text());
    let t = Date.now();
    await page.goto(`${baseUrl}/map`);
    await waitForPlacedMap(page, map.nodes.length);
    const coldMs = Date.now() - t;
    const edgesMs = await waitForEdgesMark(page);
    const coldSteps = await page.evaluate(() => {
      const at = (name: string) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? NaN);
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const mapFetch = resources.filter((e) => e.name.includes("/api/v1/service-map/summary?"));
      const layoutFetch = resources.filter((e) => e.name.includes("/api/v1/service-map/layout"));
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
      return {
        documentEndMs: Math.round(nav?.responseEnd ?? NaN),
        domContentLoadedMs: Math.round(nav?.domContentLoadedEventEnd ?? NaN),
        mapRequestStartMs: Math.round(mapFetch[0]?.startTime ?? NaN),
        mapResponseEndMs: Math.round(mapFetch[0]?.responseEnd ?? NaN),
        // The answer's bytes on the wire and decoded, and the server's own account of its time.
        mapTransferBytes: mapFetch[0]?.encodedBodySize ?? NaN,
        mapBodyBytes: mapFetch[0]?.decodedBodySize ?? NaN,
        mapServerTiming: (mapFetch[0]?.serverTiming ?? []).map((t) => `${t.name}=${Math.round(t.duration)}`).join(" "),
        // The JavaScript the page had loaded once every edge was in (compressed, and as parsed).
        scriptBytes: resources
          .filter((e) => e.initiatorType === "script" && e.name.includes("/_next/static/"))
          .reduce((sum, e) => sum + e.encodedBodySize, 0),
        scriptBodyBytes: resources
          .filter((e) => e.initiatorType === "script" && e.name.includes("/_next/static/"))
          .reduce((sum, e) => sum + e.decodedBodySize, 0),
        layoutRequestStartMs: Math.round(layoutFetch[0]?.startTime ?? NaN),
        layoutResponseEndMs: Math.round(layoutFetch[0]?.responseEnd ?? NaN),
        layoutDoneMs: at("cartograph:map-layout"),
        interactiveMs: at("cartograph:map-interactive"),
      };
    });
    const renderedNodes = await page.locator(".react-flow__node").count();
    if (screenshot) await page.screenshot({ path: screenshot });

    // A second browser (its own context: nothing in sessionStorage) on the same server.
    const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    t = Date.now();
    await other.goto(`${baseUrl}/map`);
    await waitForPlacedMap(other, map.nodes.length);
    const newBrowserMs = Date.now() - t;
    const newBrowserEdgesMs = await waitForEdgesMark(other);
    await other.close();

    // A view the server has not laid out ahead (another grouping): ELK runs on request.
    const unwarmed = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    t = Date.now();
    await unwarmed.goto(`${baseUrl}/map?group=none`);
    await waitForPlacedMap(unwarmed, map.nodes.length);
    const unwarmedMs = Date.now() - t;
    await unwarmed.close();

    // The same without the server's layout: the browser falls back to ELK in its worker.
    const local = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await local.route("**/api/v1/service-map/layout", (r) => r.abort());
    t = Date.now();
    await local.goto(`${baseUrl}/map`);
    await waitForPlacedMap(local, map.nodes.length);
    const clientLayoutMs = Date.now() - t;
    await local.close();

    t = Date.now();
    await page.reload();
    await waitForPlacedMap(page, map.nodes.length);
    const warmMs = Date.now() - t;
    // Interactions are timed on a map whose edges are all mounted (not between two slices).
    await waitForEdgesMark(page);

    const target = page.locator('[data-testid="map-node"]').first();
    t = Date.now();
    await target.click();
    await page.getByTestId("side-panel").waitFor({ state: "visible", timeout: 30_000 });
    const clickToPanelMs = Date.now() - t;
    await page.getByTestId("side-panel").getByRole("button", { name: "Close panel" }).click();
    // A click quiets hover for 600 ms (hover-store.ts: the selection's pan raises no cards);
    // hovers start after it, else the first one waits out the bench's 5 s limit.
    await page.waitForTimeout(700);
    const hoverMs = await measureFrames(page, "hover", 10);
    const zoomMs = await measureFrames(page, "zoom", 10);
    return {
      services,
      nodes: map.nodes.length,
      edges: map.edges.length,
      coldMs,
      coldSteps,
      edgesMs,
      newBrowserMs,
      newBrowserEdgesMs,
      unwarmedMs,
      clientLayoutMs,
      warmMs,
      clickToPanelMs,
      renderedNodes,
      hoverMs,
      zoomMs,
    };
  } finally {
    await browser.close();
  }
}

export async function benchMapRender(
  opts: { baseUrl?: string; sizes?: number[]; screenshotDir?: string } = {},
): Promise<MapRenderResult[]> {
  if (opts.baseUrl) return [await measure(opts.baseUrl, NaN)];
  await ensureNextBuild(ROOT);
  const out: MapRenderResult[] = [];
  const sizes = opts.sizes ?? [50, 300];
  for (const services of sizes) {
    const server = await startCartograph(ROOT);
    try {
      const edges = Math.round(services * 3.34);
      const sent = await sendSyntheticFleet(server.otlpTracesUrl, { services, edges, callsPerEdge: 2 });
      await waitFor(
        async () => {
          const m = (await (await fetch(`${server.baseUrl}/api/v1/service-map`)).json()) as {
            nodes: unknown[];
            edges: unknown[];
          };
          return m.nodes.length >= services && m.edges.length >= sent.edges;
        },
        // Generous: on a loaded 2-core machine 300 services took over 2 minutes to arrive.
        300_000,
        `${services} services on the map`,
      );
      // A user arrives some time after the fleet's topology settled: by then the server's
      // warming round (CARTOGRAPH_MAP_WARM_MS, 10 s) has laid the default view out.
      await new Promise((r) => setTimeout(r, WARM_WAIT_MS));
      const shot = opts.screenshotDir ? path.join(opts.screenshotDir, `service-map-${services}.png`) : undefined;
      const result = await measure(server.baseUrl, services, shot);
      if (services === Math.max(...sizes)) {
        const traceId = await sendBigTrace(server.otlpTracesUrl, 10_000);
        const open = await measureTraceOpen(server.baseUrl, traceId, 10_000);
        result.traceOpenMs = open.openMs;
        result.traceAllSpansMs = open.allSpansMs;
      }
      out.push(result);
      console.error(`ui-map: ${services} services measured`, JSON.stringify(result));
    } finally {
      await server.stop();
    }
  }
  return out;
}

// `node --import tsx scripts/bench/ui-map.ts [sizes...]` runs it alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const res = await benchMapRender({
    sizes: sizes.length ? sizes : undefined,
    screenshotDir: process.env.UI_BENCH_SCREENSHOTS,
  });
  console.log(JSON.stringify(res, null, 2));
}
