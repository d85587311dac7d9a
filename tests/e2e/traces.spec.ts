import type { TracesResponse } from "../../lib/api-types";
import { HOSTILE_NAME } from "./support/send-traffic";
import { baseUrl, expect, getJson, keepScreenshot, test } from "./support/fixtures";

// The suite's traffic is sent once, at its start: a wide range keeps it in view however long
// the specs before this one took on a loaded machine (the default 15 minutes did not).
const WIDE = "from=now-6h&to=now";

test("trace search keeps its filters in the URL and finds what was sent", async ({ page }) => {
  await page.goto(`${baseUrl()}/traces?${WIDE}`);
  const rows = page.getByTestId("traces-table").locator("tbody tr");
  await expect(rows).toHaveCount(40);
  await expect(page.getByTestId("duration-scatter").locator(".recharts-symbols").first()).toBeAttached();
  await keepScreenshot(page, "traces");
  await page.getByLabel("Service").fill("payments");
  await page.getByLabel("Status").selectOption("error");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/service=payments/);
  await expect(page).toHaveURL(/status=error/);
  await expect(rows).toHaveCount(8);
  await page.reload();
  await expect(rows).toHaveCount(8);
  await expect(page.getByLabel("Service")).toHaveValue("payments");
});

test("a trace shows its waterfall, critical path and span details with links", async ({ page }) => {
  const { traces } = await getJson<TracesResponse>("/api/v1/traces?limit=100&status=error");
  const t = traces[0]!;
  await page.goto(`${baseUrl()}/traces/${t.traceId}`);
  const wf = page.getByTestId("waterfall");
  await expect(wf.locator(".wf-row")).toHaveCount(6);
  await expect(page.getByTestId("span-count")).toHaveText("6 spans");
  await expect(wf.locator('.wf-row[data-critical="true"]').first()).toBeVisible();
  await wf.locator(".wf-row", { hasText: "POST /charge" }).click();
  const details = page.getByTestId("span-details");
  await expect(details).toContainText("card declined");
  await expect(details.getByTestId("span-resource")).toContainText("payments");
  await expect(details.getByRole("link", { name: "Service: payments" })).toHaveAttribute(
    "href",
    /\/services\/payments/,
  );
  await expect(details.getByRole("link", { name: "Edge on the map" })).toHaveAttribute(
    "href",
    /edge=service%3Acheckout%3Fenv%3Dprod-%3Eservice%3Apayments%3Fenv%3Dprod/,
  );
  // Collapsing the root hides the rest of the tree.
  await wf.locator(".wf-row").first().getByRole("button", { name: "Collapse" }).click();
  await expect(wf.locator(".wf-row")).toHaveCount(1);
  await wf.locator(".wf-row").first().getByRole("button", { name: "Expand" }).click();
  await wf.locator(".wf-row").nth(0).click();
  await expect(details.getByTestId("span-attributes")).toContainText("http.route");
  await keepScreenshot(page, "trace");
});

test("a hostile span name renders as literal text, never as HTML", async ({ page }) => {
  const { traces } = await getJson<TracesResponse>("/api/v1/traces?limit=100");
  const t = traces.find((x) => x.rootOperation === HOSTILE_NAME)!;
  expect(t).toBeTruthy();
  await page.goto(`${baseUrl()}/traces?${WIDE}`);
  await expect(page.getByTestId("traces-table")).toContainText(HOSTILE_NAME);
  await page.goto(`${baseUrl()}/traces/${t.traceId}`);
  const name = page.getByTestId("span-name").first();
  await expect(name).toHaveText(HOSTILE_NAME);
  await name.click();
  await expect(page.getByTestId("span-details").getByRole("heading", { level: 2 })).toHaveText(HOSTILE_NAME);
  // No element was created from the name: the only <img> tags on the page are ours (none).
  expect(await page.locator("img[src='x']").count()).toBe(0);
  // The `guard` fixture fails the test if alert() opened a dialog.
});
