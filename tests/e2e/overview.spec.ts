import type { ServicesResponse } from "../../lib/api-types";
import { formatMs } from "../../lib/format";
import { baseUrl, expect, getJson, keepScreenshot, test } from "./support/fixtures";

test("overview lists every service with its requests, error rate and p95", async ({ page }) => {
  const api = await getJson<ServicesResponse>("/api/v1/services");
  await page.goto(`${baseUrl()}/`);
  const rows = page.getByTestId("services-table").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  for (const s of api.services) {
    const row = page.locator(`tr[data-service="${s.name}"]`);
    await expect(row.locator('[data-col="requests"]')).toHaveText("40");
    await expect(row.locator('[data-col="errorRate"]')).toHaveText("20%");
    await expect(row.locator('[data-col="p95"]')).toHaveText(formatMs(s.p95Ms));
  }
  await expect(page.locator("tbody tr .recharts-line-curve").first()).toBeAttached();
  await keepScreenshot(page, "overview");
});

test("overview filters by name and namespace and sorts by column", async ({ page }) => {
  await page.goto(`${baseUrl()}/`);
  const rows = page.getByTestId("services-table").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  await page.getByLabel("Filter by name").fill("pay");
  await expect(rows).toHaveCount(1);
  await expect(page).toHaveURL(/q=pay/);
  await page.getByLabel("Filter by name").fill("");
  await page.getByRole("combobox", { name: "Namespace" }).selectOption("web");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-service", "frontend");
  await page.getByRole("combobox", { name: "Namespace" }).selectOption("");
  await page.getByRole("columnheader", { name: /^Service/ }).click();
  await page.getByRole("columnheader", { name: /^Service/ }).click();
  await expect(rows.nth(0)).toHaveAttribute("data-service", "payments");
  await expect(rows.nth(2)).toHaveAttribute("data-service", "checkout");
  await page.getByRole("columnheader", { name: /^p95/ }).click();
  await expect(rows.nth(0)).toHaveAttribute("data-service", "frontend");
  await expect(rows.nth(2)).toHaveAttribute("data-service", "payments");
});

test("the time range lives in the URL and travels with navigation", async ({ page }) => {
  await page.goto(`${baseUrl()}/`);
  await page.getByRole("button", { name: "1h", exact: true }).click();
  await expect(page).toHaveURL(/from=now-1h&to=now/);
  await expect(page.getByTestId("range-label")).toHaveText("Last 1h");
  await page.getByRole("link", { name: "Service map" }).click();
  await expect(page).toHaveURL(/\/map\?from=now-1h&to=now/);

  // A custom range is absolute epoch ms: a shareable link that shows the same data later.
  await page.getByRole("button", { name: "Custom" }).click();
  await page.locator('input[name="from"]').fill("2026-01-01T10:00");
  await page.locator('input[name="to"]').fill("2026-01-01T11:00");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/from=\d{13}&to=\d{13}/);
  const url = new URL(page.url());
  expect(Number(url.searchParams.get("to")) - Number(url.searchParams.get("from"))).toBe(3_600_000);
  await expect(page.getByRole("button", { name: /Paused/ })).toBeDisabled();
});

test("live refresh can be paused and the theme switched", async ({ page }) => {
  await page.goto(`${baseUrl()}/`);
  const live = page.getByRole("button", { name: /Live/ });
  await expect(live).toHaveAttribute("aria-pressed", "true");
  await live.click();
  await expect(page.getByRole("button", { name: /Paused/ })).toHaveAttribute("aria-pressed", "false");
  const before = await page.locator("html").getAttribute("data-theme");
  await page.getByRole("button", { name: "Toggle dark/light theme" }).click();
  const after = await page.locator("html").getAttribute("data-theme");
  expect(after).not.toBe(before);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", after!);
  if (after === "light") await keepScreenshot(page, "overview-light");
});

test("an empty range shows how to point an exporter here", async ({ page }) => {
  const from = Date.now() - 3 * 86_400_000;
  await page.goto(`${baseUrl()}/?from=${from}&to=${from + 3_600_000}`);
  const setup = page.getByTestId("exporter-setup");
  await expect(setup).toBeVisible();
  await expect(setup).toContainText("OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318");
  await expect(setup).toContainText("OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf");
  await expect(setup).toContainText("OTEL_SERVICE_NAME=");
  await expect(setup.getByRole("button", { name: "Copy" })).toBeVisible();
  await keepScreenshot(page, "empty-state");
});
