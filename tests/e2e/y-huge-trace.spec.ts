// Runs after the specs with exact counts (file order, one worker): it adds a service of its own.
import { createRequire } from "node:module";
import { baseUrl, expect, test } from "./support/fixtures";

const require = createRequire(import.meta.url);
const root = require("@opentelemetry/otlp-transformer/build/src/generated/root.js");
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const SPANS = 2500;

test("a huge trace opens with its first page, says so, and loads the rest on request", async ({ page }) => {
  const traceId = Buffer.from("b16b16b16b16b16b16b16b16b16b1600", "hex");
  const now = Date.now() * 1e6;
  const id = (n: number) => {
    const b = Buffer.alloc(8, 0xb1);
    b.writeUInt32BE(n + 1, 4);
    return b;
  };
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId, spanId: id(i), parentSpanId: i === 0 ? undefined : id(0), name: i === 0 ? "GET /bulk" : `SELECT item ${i}`, kind: i === 0 ? 2 : 3,
    startTimeUnixNano: now + i * 1000, endTimeUnixNano: now + i * 1000 + 500_000,
  }));
  const body = TraceRequest.encode(TraceRequest.fromObject({ resourceSpans: [{ resource: { attributes: [{ key: "service.name", value: { stringValue: "bulk" } }] }, scopeSpans: [{ spans }] }] })).finish();
  const res = await fetch(process.env.E2E_OTLP_TRACES_URL!, { method: "POST", body, headers: { "content-type": "application/x-protobuf" } });
  expect(res.status).toBe(200);
  const hex = traceId.toString("hex");

  await page.goto(`${baseUrl()}/traces/${hex}`);
  await expect(page.getByTestId("span-count")).toHaveText("2000 of 2500 spans");
  const note = page.getByTestId("trace-truncated");
  await expect(note).toContainText("This trace has 2,500 spans; the first 2,000");
  await page.getByTestId("load-more-spans").click();
  await expect(page.getByTestId("span-count")).toHaveText("2500 spans");
  await expect(note).toHaveCount(0);
  await expect(page.getByTestId("waterfall").getByText("SELECT item 2499")).toBeAttached();
});
