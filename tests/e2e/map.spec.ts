import type { ServiceMapResponse } from "../../lib/api-types";
import { baseUrl, expect, getJson, keepScreenshot, test } from "./support/fixtures";

test("the map draws every node and edge the API reports, typed and labelled", async ({ page }) => {
  const api = await getJson<ServiceMapResponse>("/api/v1/service-map");
  await page.goto(`${baseUrl()}/map`);
  await expect(page.getByTestId("map-node")).toHaveCount(api.nodes.length);
  await expect(page.locator(".react-flow__edge")).toHaveCount(api.edges.length);
  await expect(page.getByTestId("map-counts")).toHaveText(`${api.nodes.length} nodes · ${api.edges.length} edges`);
  await expect(page.locator('[data-testid="map-node"][data-kind="database"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="map-node"][data-kind="service"]')).toHaveCount(3);
  await expect(page.getByTestId("edge-label")).toHaveCount(api.edges.length);
  // Shown, not only in the DOM: a small map at normal zoom carries every edge's label.
  for (const label of await page.getByTestId("edge-label").all()) await expect(label).toBeVisible();
  await expect(page.getByTestId("completeness")).toContainText("paired");
  await keepScreenshot(page, "service-map");
});

test("clicking a node or an edge opens a side panel with RED, operations and trace links", async ({ page }) => {
  await page.goto(`${baseUrl()}/map`);
  await page.locator('[data-node-id="service:checkout?env=prod"]').click();
  await expect(page).toHaveURL(/node=service%3Acheckout/);
  const panel = page.getByTestId("side-panel");
  await expect(panel.getByRole("heading", { name: "checkout" })).toBeVisible();
  await expect(panel.getByTestId("red-charts")).toBeVisible();
  await expect(panel.getByRole("link", { name: "POST /checkout" })).toBeVisible();
  await expect(panel.getByRole("link", { name: "Traces", exact: true })).toHaveAttribute(
    "href",
    /\/traces\?service=checkout/,
  );
  // The screenshot shows the panel beside the map, without a hover card over either.
  await page.mouse.move(5, 5);
  await expect(page.getByTestId("map-tooltip")).toHaveCount(0);
  await keepScreenshot(page, "service-map-panel");

  await page.locator('[data-node-id="service:checkout?env=prod"]').hover();
  await expect(page.getByTestId("map-tooltip")).toContainText("checkout");
  // Hover draws the node's edges again in the accent colour over the map (the map's own edges
  // and React Flow's state are not touched): frontend → checkout and checkout's two callees.
  const lit = page.getByTestId("hover-edges").locator("path");
  await expect(lit).toHaveCount(3);
  await expect(lit.and(page.locator('[data-id="service:frontend?env=prod->service:checkout?env=prod"]'))).toHaveCount(
    1,
  );
  await page.mouse.move(5, 5);
  await expect(page.getByTestId("hover-edges")).toHaveCount(0);

  // The panel narrowed the canvas; dispatch the click on the edge wherever it now is.
  await page
    .locator('.react-flow__edge[data-id="service:frontend?env=prod->service:checkout?env=prod"]')
    .dispatchEvent("click");
  await expect(page).toHaveURL(/edge=service%3Afrontend%3Fenv%3Dprod-%3Eservice%3Acheckout%3Fenv%3Dprod/);
  await expect(panel.getByRole("heading", { name: "frontend → checkout" })).toBeVisible();
  const through = panel.getByRole("link", { name: "Traces through this edge" });
  await expect(through).toHaveAttribute("href", /service=checkout&via=frontend/);
  await through.click();
  await expect(page.getByTestId("via-filter")).toContainText("frontend");
  await expect(page.getByTestId("traces-table").locator("tbody tr")).toHaveCount(40);
});

test("positions stay put across a time-range change", async ({ page }) => {
  await page.goto(`${baseUrl()}/map`);
  const node = page.locator('.react-flow__node[data-id="service:payments?env=prod"]');
  const placed = async () => node.evaluate((el) => (el as HTMLElement).style.transform);
  // Wait for the laid-out position (xyflow renders at the origin until it has measured the node).
  await expect.poll(placed).not.toBe("translate(0px, 0px)");
  const before = await placed();
  await page.getByRole("button", { name: "1h", exact: true }).click();
  await expect(page).toHaveURL(/from=now-1h/);
  await page.waitForTimeout(1500);
  expect(await node.evaluate((el) => (el as HTMLElement).style.transform)).toBe(before);
  await page.reload();
  await expect.poll(placed).toBe(before);
});

test("search, focus with hops, grouping and the table view", async ({ page }) => {
  await page.goto(`${baseUrl()}/map`);
  await page.getByLabel("Search nodes").fill("pay");
  await page.getByLabel("Search nodes").press("Enter");
  await expect(page).toHaveURL(/q=pay/);
  await expect(page.getByTestId("match-count")).toHaveText("1 match");

  const focus = await getJson<ServiceMapResponse>(
    `/api/v1/service-map?focus=${encodeURIComponent("service:payments")}&depth=1`,
  );
  await page.goto(`${baseUrl()}/map?focus=service:payments&depth=1`);
  await expect(page.getByTestId("map-node")).toHaveCount(focus.nodes.length);
  await page.getByLabel("Focus depth").selectOption("2");
  await expect(page).toHaveURL(/depth=2/);
  const focus2 = await getJson<ServiceMapResponse>(
    `/api/v1/service-map?focus=${encodeURIComponent("service:payments")}&depth=2`,
  );
  await expect(page.getByTestId("map-node")).toHaveCount(focus2.nodes.length);

  const all = await getJson<ServiceMapResponse>("/api/v1/service-map");
  await page.goto(`${baseUrl()}/map?group=namespace`);
  await expect(page.getByTestId("map-group")).toHaveCount(2);
  await keepScreenshot(page, "service-map-grouped");
  await page.getByRole("button", { name: "Table" }).click();
  await expect(page.getByTestId("map-nodes-table").locator("tbody tr")).toHaveCount(all.nodes.length);
  await expect(page.getByTestId("map-edges-table").locator("tbody tr")).toHaveCount(all.edges.length);
});

test("changes mode marks what is new against the previous period", async ({ page }) => {
  const diff = await getJson<{ added: { nodes: unknown[]; edges: unknown[] } }>("/api/v1/service-map/diff");
  await page.goto(`${baseUrl()}/map`);
  // A controlled box: it shows checked once the URL (the state) says diff=1, a moment later, which
  // `check()` (it verifies at once) took for a click that did nothing on a loaded machine.
  await page.getByLabel("Changes").click();
  await expect(page).toHaveURL(/diff=1/);
  await expect(page.getByLabel("Changes")).toBeChecked();
  await expect(page.getByTestId("diff-summary")).toContainText(`+${diff.added.nodes.length} nodes`);
  await expect(page.getByTestId("diff-badge")).toHaveCount(diff.added.nodes.length);
});
