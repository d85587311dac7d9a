// Runs after the specs with exact counts (file order, one worker): it adds a service of its own.
import { baseUrl, expect, test } from "./support/fixtures";

const SPANS = 2500;

test("a huge trace opens with its first page, says so, and loads the rest on request", async ({ page }) => {
  // OTLP/JSON (ids in hex, times as decimal strings): the spec needs no protobuf codec.
  const hex = "b16b16b16b16b16b16b16b16b16b1600";
  const now = BigInt(Date.now()) * 1_000_000n;
  const id = (n: number) => `b1b1b1b1${(n + 1).toString(16).padStart(8, "0")}`;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId: hex,
    spanId: id(i),
    parentSpanId: i === 0 ? "" : id(0),
    name: i === 0 ? "GET /bulk" : `SELECT item ${i}`,
    kind: i === 0 ? 2 : 3,
    startTimeUnixNano: String(now + BigInt(i * 1000)),
    endTimeUnixNano: String(now + BigInt(i * 1000 + 500_000)),
  }));
  const body = JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: "bulk" } }] }, scopeSpans: [{ spans }] },
    ],
  });
  const res = await fetch(process.env.E2E_OTLP_TRACES_URL!, {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);

  await page.goto(`${baseUrl()}/traces/${hex}`);
  await expect(page.getByTestId("span-count")).toHaveText("2000 of 2500 spans");
  const note = page.getByTestId("trace-truncated");
  await expect(note).toContainText("This trace has 2,500 spans; the first 2,000");
  await page.getByTestId("load-more-spans").click();
  await expect(page.getByTestId("span-count")).toHaveText("2500 spans");
  await expect(note).toHaveCount(0);
  // The waterfall is virtualized: the last row is only in the DOM once scrolled to.
  await page
    .getByTestId("waterfall")
    .locator(".wf-scroll")
    .evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.getByTestId("waterfall").getByText("SELECT item 2499")).toBeAttached();
});
