/**
 * Sends OTel metrics through the real SDK MeterProvider and OTLP/protobuf exporter:
 * a monotonic counter, a gauge and a histogram for one service, recorded over `rounds` exports.
 */
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";

export async function sendServiceMetrics(endpoint: string, service: string, rounds = 3): Promise<string[]> {
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: endpoint }),
    exportIntervalMillis: 60_000,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    readers: [reader],
  });
  const meter = provider.getMeter("cartograph-e2e");
  const orders = meter.createCounter("orders.placed", { unit: "{order}", description: "Orders placed" });
  const duration = meter.createHistogram("http.server.request.duration", {
    unit: "s",
    description: "Duration of HTTP server requests",
  });
  let queue = 3;
  meter
    .createObservableGauge("queue.depth", { unit: "{message}", description: "Messages waiting" })
    .addCallback((r) => r.observe(queue));
  for (let i = 0; i < rounds; i++) {
    for (let k = 0; k < 20; k++) {
      orders.add(1, { "payment.method": k % 2 ? "card" : "invoice" });
      duration.record(0.02 + (k % 10) / 100, { "http.route": "/checkout" });
    }
    queue += 2;
    await reader.forceFlush();
  }
  await provider.shutdown();
  return ["orders.placed", "http.server.request.duration", "queue.depth"];
}
