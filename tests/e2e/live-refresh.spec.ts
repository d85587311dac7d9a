// Live refresh adds traffic while the page is open, which the other specs' exact counts do not
// expect: it runs against a server of its own, so it needs no particular place in the order.
import { SHOP_TRACES } from "./support/global-setup";
import { sendShopTraffic } from "./support/send-traffic";
import { startCartograph, waitFor, type RunningServer } from "./support/start-server";
import { expect, test } from "./support/fixtures";

let server: RunningServer;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  server = await startCartograph(process.cwd());
  await sendShopTraffic(server.otlpTracesUrl, { traces: SHOP_TRACES });
  await waitFor(
    async () => {
      const s = (await (await fetch(`${server.baseUrl}/api/v1/services`)).json()) as {
        services: Array<{ name: string; requests: number }>;
      };
      return s.services.find((x) => x.name === "payments")?.requests === SHOP_TRACES;
    },
    60_000,
    "payments with all requests",
  );
});

test.afterAll(async () => {
  await server?.stop();
});

test("live mode picks up new traffic without a reload; paused mode does not", async ({ page }) => {
  await page.goto(`${server.baseUrl}/`);
  await page.getByLabel("Refresh interval").selectOption("5000");
  const requests = page.locator('tr[data-service="payments"] [data-col="requests"]');
  await expect(requests).toHaveText(String(SHOP_TRACES));

  await page.getByRole("button", { name: /Live/ }).click(); // pause
  let polls = 0;
  page.on("request", (r) => {
    if (r.url().includes("/api/v1/services?")) polls++;
  });
  await sendShopTraffic(server.otlpTracesUrl, { traces: 10, spreadMs: 30_000 });
  await page.waitForTimeout(8_000);
  expect(polls).toBe(0);
  await expect(requests).toHaveText(String(SHOP_TRACES));

  await page.getByRole("button", { name: /Paused/ }).click(); // resume
  await expect(requests).toHaveText(String(SHOP_TRACES + 10), { timeout: 30_000 });
});
