import { baseUrl, expect, keepScreenshot, test } from "./support/fixtures";

test("the metrics explorer charts a service's metric with the aggregation its type calls for", async ({ page }) => {
  await page.goto(`${baseUrl()}/metrics-explorer`);
  await page.getByRole("combobox", { name: "Service" }).selectOption("checkout");
  await expect(page).toHaveURL(/service=checkout/);
  const metric = page.getByRole("combobox", { name: "Metric" });
  await expect(metric.locator("option")).toHaveCount(4);
  await metric.selectOption("orders.placed");
  await expect(page.getByRole("combobox", { name: "Aggregation" })).toHaveValue("rate");
  await metric.selectOption("http.server.request.duration");
  await expect(page.getByRole("combobox", { name: "Aggregation" })).toHaveValue("p95");
  await expect(page.getByTestId("metric-chart")).toBeVisible();
  await metric.selectOption("queue.depth");
  await expect(page.getByRole("combobox", { name: "Aggregation" })).toHaveValue("avg");
  await expect(page).toHaveURL(/metric=queue.depth/);
  await expect(page.getByTestId("metric-chart")).toBeVisible();
  await keepScreenshot(page, "metrics");
});
