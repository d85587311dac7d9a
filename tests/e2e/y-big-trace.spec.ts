// Runs after the other read-only specs (file order, one worker): it adds one 10,000-span trace.
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { createFleet } from "./support/send-traffic";
import { baseUrl, expect, getJson, test } from "./support/fixtures";

const SPANS = 10_000;

// Not met yet (first run, 2026-11-30): trace detail now pages at 2,000 spans by default, so
// this spec's wait for all 10,000 through the API and the "10000 spans" count need the paged
// flow (load the rest) first. fixme until it is rewritten for paging; the 10k-span open time is
// therefore unmeasured.
test.fixme("a 10,000-span trace opens with a virtualized waterfall, search, collapse and its critical path", async ({ page }) => {
  test.setTimeout(120_000);
  const fleet = createFleet(process.env.E2E_OTLP_TRACES_URL!, () => ({ "deployment.environment.name": "prod" }));
  const tracer = fleet.tracer("batch-job");
  const t0 = Date.now() - 60_000;
  const root = tracer.startSpan("run batch", { kind: SpanKind.SERVER, startTime: t0 });
  const traceId = root.spanContext().traceId;
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  for (let i = 1; i < SPANS; i++) {
    const s = tracer.startSpan(i === 7777 ? "needle step" : `step ${i}`, { startTime: t0 + i, attributes: { "item.id": `item-${i}` } }, ctx);
    s.end(t0 + i + 2);
  }
  root.end(t0 + SPANS + 10);
  await fleet.shutdown();
  await expect.poll(async () => (await getJson<{ spans: unknown[] }>(`/api/v1/traces/${traceId}`).catch(() => ({ spans: [] }))).spans.length, { timeout: 60_000 }).toBe(SPANS);

  await page.goto(`${baseUrl()}/traces/${traceId}`);
  await expect(page.getByTestId("span-count")).toHaveText(`${SPANS} spans`);
  const wf = page.getByTestId("waterfall");
  await expect(wf).toHaveAttribute("data-rows", String(SPANS));
  // Virtualized: only the rows in view are in the DOM.
  const rendered = await wf.locator(".wf-row").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(200);
  await expect(wf.locator('.wf-row[data-critical="true"]').first()).toBeVisible();

  await page.getByLabel("Search in this trace").fill("needle");
  await expect(page.getByTestId("trace-search-count")).toHaveText("1 of 1");
  await page.getByLabel("Search in this trace").press("Enter");
  await expect(wf.locator(".wf-row.match", { hasText: "needle step" })).toBeVisible();
  await page.getByLabel("Search in this trace").fill("");

  await wf.locator(".wf-row").first().getByRole("button", { name: "Collapse" }).click();
  await expect(wf).toHaveAttribute("data-rows", "1");
  await wf.locator(".wf-row").first().getByRole("button", { name: "Expand" }).click();
  await expect(wf).toHaveAttribute("data-rows", String(SPANS));
});
