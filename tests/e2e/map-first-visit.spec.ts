import { baseUrl, expect, test } from "./support/fixtures";

/**
 * The map page's HTML sends its first reads itself (lib/prefetch.ts): an inline script, the
 * `<script>` element's text, runs before the bundles load, and the app takes those answers
 * instead of asking again. Fails when the script stops running (no store), when its text is
 * mangled (a page error, or no store), or when the app no longer uses its answers (left in the
 * store, and the map asked twice). Hydration warnings fail every spec (support/fixtures.ts).
 */
for (const [label, search] of [
  ["with an environment in the URL", "?env=prod"],
  ["on the default view", ""],
] as const) {
  test(`a first visit ${label} draws from the reads its HTML sent`, async ({ page }) => {
    const mapReads: string[] = [];
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith("/api/v1/service-map/summary")) mapReads.push(u.search);
    });
    const html = await (await fetch(`${baseUrl()}/map${search}`)).text();
    expect(html).toMatch(/<script nonce="[^"]+">\(function\(c\)\{try\{/);
    await page.goto(`${baseUrl()}/map${search}`);
    await expect(page.getByTestId("map-node").first()).toBeVisible();
    const left = await page.evaluate(() => {
      const store = (window as unknown as { __cartographPrefetch?: Record<string, unknown> }).__cartographPrefetch;
      return store ? Object.keys(store) : null;
    });
    expect(left, "the inline prefetch script did not run").not.toBeNull();
    expect(left, "prefetched answers the app did not take").toEqual([]);
    if (search) expect(mapReads, "the map was read again after its prefetch").toHaveLength(1);
    else expect(mapReads.length).toBeGreaterThanOrEqual(1);
  });
}

test("the side panel's charts load with the first panel, not with the map", async ({ page }) => {
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script" && r.url().includes("/_next/static/")) scripts.push(r.url());
  });
  await page.goto(`${baseUrl()}/map?env=prod`);
  await expect(page.getByTestId("map-canvas")).toHaveAttribute("data-edges-mounted", /^[1-9]/);
  const before = scripts.length;
  await page.locator('[data-node-id="service:checkout?env=prod"]').click();
  await expect(page.getByTestId("side-panel").getByTestId("red-charts")).toBeVisible();
  expect(scripts.length, "no script was loaded for the charts: they are in the map's bundles again").toBeGreaterThan(
    before,
  );
});
