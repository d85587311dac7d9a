import AxeBuilder from "@axe-core/playwright";
import type { TracesResponse } from "../../lib/api-types";
import { baseUrl, expect, getJson, keepScreenshot, test } from "./support/fixtures";
import { paintedShare } from "./support/painted";

/**
 * Every page through axe-core (WCAG 2.x A/AA rules): no serious or critical violation, in both
 * themes. Layout: at 1280×720 and 1920×1080 no page scrolls sideways and the map paints.
 */
async function pages(): Promise<string[]> {
  const { traces } = await getJson<TracesResponse>("/api/v1/traces?limit=1");
  return [
    "/",
    "/map",
    "/map?node=" + encodeURIComponent("service:checkout?env=prod"),
    "/traces",
    `/traces/${traces[0]!.traceId}`,
    "/services/checkout",
    "/logs",
    "/metrics-explorer",
    "/findings",
    "/alerts",
    "/access",
  ];
}

for (const theme of ["dark", "light"] as const) {
  test(`every page has no serious or critical accessibility violation (${theme})`, async ({ page }) => {
    test.setTimeout(300_000); // eleven pages, each analysed whole
    await page.addInitScript((t) => localStorage.setItem("cartograph-theme", t), theme);
    const bad: string[] = [];
    for (const path of await pages()) {
      await page.goto(`${baseUrl()}${path}`);
      await page.waitForLoadState("load");
      await page.waitForTimeout(500);
      const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
      for (const v of result.violations) {
        if (v.impact === "serious" || v.impact === "critical")
          bad.push(
            `${path}: ${v.id} (${v.impact}) ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(" "))
              .join(" | ")}`,
          );
      }
    }
    // Every page is analysed before the verdict, so one run names every violation.
    expect(bad, `axe (${theme})`).toEqual([]);
  });
}

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  for (const theme of ["dark", "light"] as const) {
    test(`layout holds at ${width}×${height} (${theme})`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.setViewportSize({ width, height });
      await page.addInitScript((t) => localStorage.setItem("cartograph-theme", t), theme);
      for (const path of await pages()) {
        await page.goto(`${baseUrl()}${path}`);
        await page.waitForLoadState("load");
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} scrolls sideways at ${width}×${height}`).toBeLessThanOrEqual(1);
      }
      await page.goto(`${baseUrl()}/map?node=${encodeURIComponent("service:checkout?env=prod")}`);
      await expect(page.getByTestId("side-panel")).toBeVisible();
      await expect
        .poll(async () => paintedShare(page, page.locator('.react-flow__node[data-id="service:checkout?env=prod"]')), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0.05);
      // Every column of the panel's tables is inside the panel (the callers table's last column
      // was clipped), and the panel does not scroll sideways.
      await expect(page.getByTestId("panel-callers")).toBeVisible();
      const clipped = await page.getByTestId("side-panel").evaluate((panel) => {
        const right = panel.getBoundingClientRect().right;
        const cells = [...panel.querySelectorAll("table th, table td")];
        return {
          sideways: panel.scrollWidth - panel.clientWidth,
          cells: cells.filter((c) => c.getBoundingClientRect().right > right + 0.5).map((c) => c.textContent),
        };
      });
      expect(clipped, `side panel at ${width}×${height}`).toEqual({ sideways: 0, cells: [] });
      await keepScreenshot(page, `service-map-${width}x${height}-${theme}`);
    });
  }
}
