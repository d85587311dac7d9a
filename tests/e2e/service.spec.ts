import { baseUrl, expect, keepScreenshot, test } from "./support/fixtures";

// The suite's traffic is sent once, at its start: a wide range keeps it in view however long
// the specs before this one took on a loaded machine (the default 15 minutes did not).
const WIDE = "from=now-6h&to=now";

test("a service page shows RED charts, operations, dependencies and recent traces", async ({ page }) => {
  await page.goto(`${baseUrl()}/services/checkout?${WIDE}`);
  await expect(page.getByTestId("service-name")).toHaveText("checkout");
  await expect(page.getByTestId("service-stats")).toContainText("40");
  await expect(page.getByTestId("red-charts").locator(".recharts-line").first()).toBeAttached();
  await expect(page.getByTestId("operations-table")).toContainText("POST /checkout");
  await expect(page.getByTestId("upstream-table")).toContainText("frontend");
  await expect(page.getByTestId("downstream-table")).toContainText("payments");
  await expect(page.getByTestId("downstream-table")).toContainText("orders");
  await expect(page.getByTestId("failed-traces").locator("tbody tr")).toHaveCount(8);
  await expect(page.getByTestId("slow-traces").locator("tbody tr")).toHaveCount(10);
  await keepScreenshot(page, "service");
});
