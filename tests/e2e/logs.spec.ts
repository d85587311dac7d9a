import { trace, ROOT_CONTEXT, TraceFlags } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { TraceResponse, TracesResponse } from "../../lib/api-types";
import { baseUrl, expect, getJson, keepScreenshot, test } from "./support/fixtures";

const HOSTILE_BODY = `<img src=x onerror=alert(1)><script>alert(2)</script>`;
const STACK =
  "CardDeclinedError: card declined by issuer\n    at charge (payments/charge.ts:42:11)\n    at handle (payments/server.ts:17:5)";

/**
 * Logs go in through the real OTel logs SDK and OTLP/protobuf exporter, stamped with the
 * context of a span the shop traffic already stored (as an instrumented service's logger
 * would), so the trace links to its lines and the lines link back to it.
 */
async function sendPaymentLogs(): Promise<{ traceId: string; spanId: string }> {
  const { traces } = await getJson<TracesResponse>("/api/v1/traces?limit=100&status=error");
  const t = await getJson<TraceResponse>(`/api/v1/traces/${traces[0]!.traceId}`);
  const charge = t.spans.find((s) => s.name === "POST /charge")!;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "payments" }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: process.env.E2E_OTLP_TRACES_URL!.replace(/\/v1\/traces$/, "/v1/logs") }),
      }),
    ],
  });
  const logger = provider.getLogger("e2e");
  const context = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: t.traceId,
    spanId: charge.spanId,
    traceFlags: TraceFlags.SAMPLED,
  });
  const at = Number(BigInt(charge.startTimeUnixNano) / 1_000_000n);
  logger.emit({
    body: "charge requested for order o-77",
    severityNumber: SeverityNumber.INFO,
    severityText: "INFO",
    attributes: { "order.id": "o-77" },
    context,
    timestamp: at,
  });
  logger.emit({
    body: STACK,
    severityNumber: SeverityNumber.ERROR,
    severityText: "ERROR",
    attributes: { "exception.type": "CardDeclinedError" },
    context,
    timestamp: at + 1,
  });
  logger.emit({
    body: HOSTILE_BODY,
    severityNumber: SeverityNumber.WARN,
    severityText: "WARN",
    attributes: { source: "hostile" },
    timestamp: Date.now() - 1000,
  });
  for (let i = 0; i < 30; i++)
    logger.emit({
      body: `background job tick ${i}`,
      severityNumber: SeverityNumber.DEBUG,
      timestamp: Date.now() - 60_000 - i * 1000,
    });
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: t.traceId, spanId: charge.spanId };
}

test("logs ↔ traces: a trace shows its lines under the span that wrote them, and a line links back", async ({
  page,
}) => {
  const { traceId, spanId } = await sendPaymentLogs();
  await expect
    .poll(async () => (await getJson<{ logs: unknown[] }>(`/api/v1/traces/${traceId}/logs`)).logs.length)
    .toBe(2);

  // Trace → its logs, under the span.
  await page.goto(`${baseUrl()}/traces/${traceId}`);
  await expect(page.getByTestId("log-count")).toHaveText("2 log lines");
  const chargeRow = page.locator(`.wf-row[data-span-id="${spanId}"]`);
  const under = chargeRow.locator("xpath=following-sibling::*[1]");
  await expect(under).toHaveAttribute("data-testid", "span-logs");
  await expect(under.getByTestId("log-body")).toHaveText([
    "charge requested for order o-77",
    "CardDeclinedError: card declined by issuer …",
  ]);
  await under.getByTestId("log-row").nth(1).getByRole("button").click();
  await expect(under.getByTestId("log-detail")).toContainText("at charge (payments/charge.ts:42:11)");
  await expect(under.getByTestId("log-detail")).toContainText("exception.type");
  await keepScreenshot(page, "trace-logs");

  // → the Logs page filtered to the trace → back to the trace from a line.
  await page.getByTestId("trace-logs-link").click();
  await expect(page).toHaveURL(new RegExp(`/logs\\?traceId=${traceId}`));
  const rows = page.getByTestId("log-list").getByTestId("log-row");
  await expect(rows).toHaveCount(2);
  await rows.first().getByTestId("log-trace-link").click();
  await expect(page).toHaveURL(new RegExp(`/traces/${traceId}`));
  await expect(page.locator(".wf-row.selected")).toHaveAttribute("data-span-id", spanId);
});

test("the Logs page searches by text and severity in the URL, zooms on a histogram bar, and renders hostile bodies as text", async ({
  page,
}) => {
  await page.goto(`${baseUrl()}/logs?from=now-1h&to=now`);
  const rows = page.getByTestId("log-list").getByTestId("log-row");
  await expect(rows.first()).toBeVisible();
  await page.getByLabel("Text").fill("declined");
  await page.getByLabel("Min severity").selectOption("error");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/q=declined/);
  await expect(page).toHaveURL(/minSeverity=error/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("log-body")).toContainText("card declined by issuer");
  await page.reload();
  await expect(rows).toHaveCount(1);
  await expect(page.getByLabel("Text")).toHaveValue("declined");

  // Hostile body: shown as the characters it is; nothing created from it.
  await page.goto(`${baseUrl()}/logs?from=now-1h&to=now&attr=${encodeURIComponent("source=hostile")}`);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("log-body")).toHaveText(HOSTILE_BODY);
  expect(await page.locator("img[src='x']").count()).toBe(0);

  // A click on a bar narrows the range to that bar.
  await page.goto(`${baseUrl()}/logs?from=now-15m&to=now&q=tick`);
  await expect(page.getByTestId("log-histogram").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await keepScreenshot(page, "logs");
  await page.getByTestId("log-histogram").locator(".recharts-bar-rectangle").first().click();
  await expect(page).toHaveURL(/from=\d{13}&to=\d{13}/);
  await expect(rows.first()).toContainText("background job tick");
});

/** Lines of one source through the real logs SDK, `ageMs` before now each. */
async function sendLines(lines: { body: string; ageMs: number }[]): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "scroller" }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: process.env.E2E_OTLP_TRACES_URL!.replace(/\/v1\/traces$/, "/v1/logs") }),
        maxExportBatchSize: 512,
      }),
    ],
  });
  const logger = provider.getLogger("e2e-scroll");
  const now = Date.now();
  for (const l of lines)
    logger.emit({
      body: l.body,
      severityNumber: SeverityNumber.INFO,
      severityText: "INFO",
      attributes: { source: "scroll" },
      timestamp: now - l.ageMs,
    });
  await provider.forceFlush();
  await provider.shutdown();
}

test("the Logs page loads older lines on scroll, follows the live tail, and keeps an expanded line open as lines arrive", async ({
  page,
}) => {
  await sendLines(Array.from({ length: 250 }, (_, i) => ({ body: `scroll line ${i}`, ageMs: 60_000 + i * 1000 })));
  await page.goto(`${baseUrl()}/logs?from=now-1h&to=now&attr=${encodeURIComponent("source=scroll")}`);
  const rows = page.getByTestId("log-list").getByTestId("log-row");
  await expect(rows).toHaveCount(100);
  await expect(rows.first().getByTestId("log-body")).toHaveText("scroll line 0");
  // Infinite scroll: reaching the end of the list loads the next pages, oldest last.
  await rows.last().scrollIntoViewIfNeeded();
  await expect(rows).toHaveCount(200);
  await rows.last().scrollIntoViewIfNeeded();
  await expect(rows).toHaveCount(250);
  await expect(rows.last().getByTestId("log-body")).toHaveText("scroll line 249");

  // Expanded: every field of the line.
  await rows.first().getByRole("button").first().click();
  const detail = rows.first().getByTestId("log-detail");
  await expect(detail).toContainText("source");
  await expect(detail).toContainText("scroller");

  // Live tail: a new line appears at the top; the expanded line stays open and stays itself.
  await page.getByTestId("live-tail").click();
  await expect(page).toHaveURL(/live=1/);
  await sendLines([{ body: "scroll line fresh", ageMs: 0 }]);
  await expect(rows.first().getByTestId("log-body")).toHaveText("scroll line fresh", { timeout: 15_000 });
  await expect(rows.first().getByTestId("log-detail")).toHaveCount(0);
  await expect(rows.nth(1).getByTestId("log-body")).toHaveText("scroll line 0");
  await expect(rows.nth(1).getByTestId("log-detail")).toContainText("scroller");
});
