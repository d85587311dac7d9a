// Runs after the other read-only specs (file order, one worker): it adds one 10,000-span trace.
import { sendBigTrace } from "./support/big-trace";
import { baseUrl, expect, getJson, test } from "./support/fixtures";

const SPANS = 10_000;

// Opening time is measured by the UI bench (BENCH_ONLY=uiMap), not asserted here.
test("a 10,000-span trace opens page by page with a virtualized waterfall, search, collapse and its critical path", async ({
  page,
}) => {
  test.setTimeout(180_000);
  const traceId = await sendBigTrace(process.env.E2E_OTLP_TRACES_URL!, SPANS);
  await expect
    .poll(
      async () =>
        (await getJson<{ totalSpans: number }>(`/api/v1/traces/${traceId}?limit=1`).catch(() => ({ totalSpans: 0 })))
          .totalSpans,
      { timeout: 60_000 },
    )
    .toBe(SPANS);

  await page.goto(`${baseUrl()}/traces/${traceId}`);
  // The first page (2,000 spans by start time) shows at once; the note says what is missing.
  await expect(page.getByTestId("span-count")).toHaveText(`2000 of ${SPANS} spans`);
  const wf = page.getByTestId("waterfall");
  await expect(wf).toHaveAttribute("data-rows", "2000");
  await expect(page.getByTestId("trace-truncated")).toContainText("This trace has 10,000 spans");
  // Search covers what is loaded: the needle (span 7,777) is not there yet.
  const search = page.getByLabel("Search in this trace");
  await search.fill("needle");
  await expect(page.getByTestId("trace-search-count")).toHaveText("no match in the 2,000 loaded spans");
  await search.fill("");

  for (let shown = 4000; shown <= SPANS; shown += 2000) {
    await page.getByTestId("load-more-spans").click();
    await expect(page.getByTestId("span-count")).toHaveText(
      shown < SPANS ? `${shown} of ${SPANS} spans` : `${SPANS} spans`,
      { timeout: 30_000 },
    );
  }
  await expect(page.getByTestId("trace-truncated")).toHaveCount(0);
  await expect(wf).toHaveAttribute("data-rows", String(SPANS));
  // Virtualized: only the rows in view are in the DOM.
  const rendered = await wf.locator(".wf-row").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(200);
  await expect(wf.locator('.wf-row[data-critical="true"]').first()).toBeVisible();

  await search.fill("needle");
  await expect(page.getByTestId("trace-search-count")).toHaveText("1 of 1");
  await search.press("Enter");
  await expect(wf.locator(".wf-row.match", { hasText: "needle step" })).toBeVisible();
  await search.fill("");

  // Collapsing the root hides its 9,999 descendants (back at the top: Enter scrolled to the match).
  await wf.locator(".wf-scroll").evaluate((el) => el.scrollTo(0, 0));
  await expect(wf.locator(".wf-row").first()).toContainText("run batch");
  await wf.locator(".wf-row").first().getByRole("button", { name: "Collapse" }).click();
  await expect(wf).toHaveAttribute("data-rows", "1");
  await wf.locator(".wf-row").first().getByRole("button", { name: "Expand" }).click();
  await expect(wf).toHaveAttribute("data-rows", String(SPANS));
  // The last row is reachable by scrolling the virtualized list.
  await wf.locator(".wf-scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(wf.getByText(`step ${SPANS - 1}`, { exact: true })).toBeAttached();
});
