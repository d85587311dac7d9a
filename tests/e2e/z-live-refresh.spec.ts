// Runs last (file order, one worker): it adds traffic, which the other specs' exact counts do not expect.
import { sendShopTraffic } from "./support/send-traffic";
import { baseUrl, expect, test } from "./support/fixtures";

test("live mode picks up new traffic without a reload; paused mode does not", async ({ page }) => {
  await page.goto(`${baseUrl()}/`);
  await page.getByLabel("Refresh interval").selectOption("5000");
  const requests = page.locator('tr[data-service="payments"] [data-col="requests"]');
  await expect(requests).toHaveText("40");

  await page.getByRole("button", { name: /Live/ }).click(); // pause
  let polls = 0;
  page.on("request", (r) => {
    if (r.url().includes("/api/v1/services?")) polls++;
  });
  await sendShopTraffic(process.env.E2E_OTLP_TRACES_URL!, { traces: 10, spreadMs: 30_000 });
  await page.waitForTimeout(8_000);
  expect(polls).toBe(0);
  await expect(requests).toHaveText("40");

  await page.getByRole("button", { name: /Paused/ }).click(); // resume
  await expect(requests).toHaveText("50", { timeout: 30_000 });
});
