import type { Page } from "@playwright/test";
import type { ServiceMapResponse } from "../../lib/api-types";
import { baseUrl, expect, getJson, test } from "./support/fixtures";
import { paintReport, paintedShare } from "./support/painted";

/**
 * The map always paints its nodes and edges after any interaction: each step checks pixels in
 * a screenshot region (the canvas left of the side panel, and the selected node's own box),
 * not only that the DOM holds the elements.
 */
const CHECKOUT = "service:checkout?env=prod";

/**
 * The side panel's box, or null when it is closed. Not `boundingBox()` alone: on a missing
 * element it waits (no action timeout is set), which made every paint check time out.
 */
async function panelBox(page: Page) {
  const panel = page.getByTestId("side-panel");
  return (await panel.count()) > 0 ? panel.boundingBox() : null;
}

/** Canvas area not covered by the side panel. */
async function visibleCanvas(page: Page) {
  const canvas = (await page.getByTestId("map-canvas").boundingBox())!;
  const panel = await panelBox(page);
  const width = panel ? Math.max(50, panel.x - canvas.x) : canvas.width;
  return { x: canvas.x, y: canvas.y, width, height: canvas.height };
}

/**
 * Every node the DOM places in the visible canvas is painted (its box is not bare background),
 * and the edges between them left pixels outside the nodes. One screenshot per check.
 */
async function expectPainted(page: Page, step: string) {
  await expect(page.getByTestId("map-canvas")).toBeVisible();
  await expect
    .poll(async () => describePaint(page), { message: `${step}: canvas painted`, timeout: 10_000 })
    .toMatchObject({ nodes: expect.any(Number), unpainted: [], edgesPainted: true });
}

/** What the canvas shows: visible node count, the ids of nodes left unpainted, whether edges show. */
async function describePaint(page: Page) {
  const area = await visibleCanvas(page);
  const nodes = await page.locator(".react-flow__node").evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return {
        id: e.getAttribute("data-id")!,
        group: e.classList.contains("react-flow__node-group-box"),
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
      };
    }),
  );
  const inside = nodes.filter(
    (n) =>
      !n.group &&
      n.x >= area.x &&
      n.y >= area.y &&
      n.x + n.width <= area.x + area.width &&
      n.y + n.height <= area.y + area.height,
  );
  if (inside.length === 0) return { nodes: 0, unpainted: ["(no node in view)"], edgesPainted: false };
  const edges = await page.locator(".react-flow__edge").count();
  const report = await paintReport(page, area, inside, { ignoreCssColor: "--grid" });
  return {
    nodes: inside.length,
    unpainted: inside.filter((_, i) => report.boxes[i]! < 0.04).map((n) => n.id),
    // An edge is at least ~100 px long and 2 px wide; a blank canvas leaves only grid dots.
    edgesPainted: edges === 0 || report.outside > 150,
  };
}

async function expectNodePainted(page: Page, id: string, step: string) {
  const node = page.locator(`.react-flow__node[data-id="${id}"]`);
  await expect(node).toBeVisible();
  await expect
    .poll(async () => paintedShare(page, node), { message: `${step}: ${id} painted`, timeout: 10_000 })
    .toBeGreaterThan(0.05);
  // Kept in view beside the panel, not under it.
  const box = (await node.boundingBox())!;
  const panel = await panelBox(page);
  if (panel) expect(box.x + box.width / 2, `${step}: selection left of the panel`).toBeLessThan(panel.x);
}

/**
 * The selected node and its direct callees and callers are all on the canvas and none is under
 * the side panel (their boxes do not intersect the panel's box), once the pan has settled.
 */
async function expectNeighboursBesidePanel(page: Page, id: string, step: string) {
  const map = await getJson<ServiceMapResponse>("/api/v1/service-map");
  const ids = new Set([id]);
  for (const e of map.edges) {
    if (e.source === id) ids.add(e.target);
    if (e.target === id) ids.add(e.source);
  }
  const overlaps = async () => {
    const panel = (await panelBox(page))!;
    const canvas = (await page.getByTestId("map-canvas").boundingBox())!;
    const bad: string[] = [];
    for (const n of ids) {
      const box = await page.locator(`.react-flow__node[data-id="${n}"]`).boundingBox();
      if (!box) {
        bad.push(`${n} not drawn`);
        continue;
      }
      const underPanel = box.x + box.width > panel.x && box.x < panel.x + panel.width;
      const outside = box.x < canvas.x || box.y < canvas.y || box.y + box.height > canvas.y + canvas.height;
      if (underPanel || outside) bad.push(`${n} ${underPanel ? "under the panel" : "outside the canvas"}`);
    }
    return bad;
  };
  await expect
    .poll(overlaps, { message: `${step}: ${[...ids].join(", ")} beside the panel`, timeout: 5_000 })
    .toEqual([]);
}

test("the map paints after select, focus, group, diff, refresh and navigation from the overview", async ({ page }) => {
  test.setTimeout(180_000); // a dozen steps and two live-refresh waits (11.5 s)
  await page.goto(`${baseUrl()}/`);
  await page.getByRole("link", { name: "Service map" }).click();
  await expect(page).toHaveURL(/\/map/);
  await expectPainted(page, "navigation from the overview");

  for (let i = 0; i < 3; i++) {
    await page.locator(`[data-node-id="${CHECKOUT}"]`).click();
    await expect(page.getByTestId("side-panel")).toBeVisible();
    await expectNodePainted(page, CHECKOUT, `select #${i + 1}`);
    await expectNeighboursBesidePanel(page, CHECKOUT, `select #${i + 1}`);
    await page.getByRole("button", { name: "Close panel" }).click();
    await expectPainted(page, `close #${i + 1}`);
  }

  // A node at the right edge, behind where the panel opens, is brought beside it.
  const nodes = page.locator('.react-flow__node[data-id^="service:"], .react-flow__node[data-id^="database:"]');
  const boxes = await nodes.evaluateAll((els) =>
    els.map((e) => ({ id: e.getAttribute("data-id")!, x: e.getBoundingClientRect().x })),
  );
  const rightmost = boxes.sort((a, b) => b.x - a.x)[0]!.id;
  await page.locator(`[data-node-id="${rightmost}"]`).click();
  await expectNodePainted(page, rightmost, "select the rightmost node");
  await expectNeighboursBesidePanel(page, rightmost, "select the rightmost node");

  await page.getByTestId("side-panel").getByRole("link", { name: "Focus" }).click();
  await expect(page).toHaveURL(/focus=/);
  await expectPainted(page, "focus");

  await page.goto(`${baseUrl()}/map?group=namespace`);
  await expect(page.getByTestId("map-group").first()).toBeVisible();
  await expectPainted(page, "group");

  // A controlled box: it shows checked once the URL (the state) says diff=1, a moment later.
  await page.getByLabel("Changes").click();
  await expect(page).toHaveURL(/diff=1/);
  await expect(page.getByLabel("Changes")).toBeChecked();
  await expectPainted(page, "diff");

  await page.getByLabel("Refresh interval").selectOption("5000");
  await page.waitForTimeout(6_000);
  await page.locator(`[data-node-id="${CHECKOUT}"]`).click();
  await expectNodePainted(page, CHECKOUT, "select after a live refresh");
  await page.waitForTimeout(5_500);
  await expectNodePainted(page, CHECKOUT, "live refresh with a selection");

  // The check itself can fail: with nodes and edges in the DOM but not drawn (the old blank
  // canvas; opacity, as xyflow sets each node's visibility inline), every node reads unpainted
  // and no edge pixel is left; the background dots do not count.
  await page.mouse.move(5, 5); // off the node: its hover tooltip would count as paint
  await expect(page.getByTestId("map-canvas").locator(".map-tooltip")).toHaveCount(0);
  await page.addStyleTag({
    content: ".react-flow__nodes, .react-flow__edges, .react-flow__edgelabel-renderer { opacity: 0 !important; }",
  });
  const blank = await describePaint(page);
  expect(blank.nodes).toBeGreaterThan(0);
  expect(blank.unpainted).toHaveLength(blank.nodes);
  expect(blank.edgesPainted).toBe(false);
});

test("the map is usable by keyboard: reach a node, open its panel, move to a neighbour", async ({ page }) => {
  await page.goto(`${baseUrl()}/map`);
  await expectPainted(page, "load");
  const node = page.locator(`.react-flow__node[data-id="${CHECKOUT}"]`);
  await node.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/node=service%3Acheckout/);
  const panel = page.getByTestId("side-panel");
  await expect(panel.getByRole("heading", { name: "checkout" })).toBeVisible();
  await expectNeighboursBesidePanel(page, CHECKOUT, "keyboard select");
  // Callers and callees, each with its RED, reachable by keyboard.
  await expect(panel.getByTestId("panel-callers")).toContainText("frontend");
  await expect(panel.getByTestId("panel-callees")).toContainText("payments");
  const payments = panel.getByTestId("panel-callees").getByRole("button", { name: "payments", exact: true });
  await payments.focus();
  await page.keyboard.press("Enter");
  await expect(panel.getByRole("heading", { name: "payments" })).toBeVisible();
  await expectNodePainted(page, "service:payments?env=prod", "keyboard move");
  await expectNeighboursBesidePanel(page, "service:payments?env=prod", "keyboard move");
});

test("the edge panel charts the edge's own history, both sides' latency", async ({ page }) => {
  await page.goto(
    `${baseUrl()}/map?edge=${encodeURIComponent("service:checkout?env=prod->service:payments?env=prod")}`,
  );
  const panel = page.getByTestId("side-panel");
  await expect(panel.getByRole("heading", { name: "checkout → payments" })).toBeVisible();
  const charts = panel.getByTestId("edge-charts");
  await expect(charts).toContainText("Latency, caller side");
  await expect(charts).toContainText("Latency, callee side");
  await expect(charts.locator(".recharts-line-curve").first()).toBeVisible();
});
