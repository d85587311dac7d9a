import { context, trace, type Span } from "@opentelemetry/api";
import { SeverityNumber, type LogAttributes, type LogBody } from "@opentelemetry/api-logs";
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPLogExporter as HttpJsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPLogExporter as GrpcLogExporter } from "@opentelemetry/exporter-logs-otlp-grpc";
import type { Transport } from "./otel-sender";

export { SeverityNumber };

/** The real OTLP logs exporter of `transport`, pointed at a running server. */
export function createLogExporter(
  transport: Transport,
  target: { otlpHttpUrl: string; grpcAddress: string },
  gzip = false,
): LogRecordExporter {
  const compression = (gzip ? "gzip" : "none") as never;
  if (transport === "http/json") return new HttpJsonLogExporter({ url: `${target.otlpHttpUrl}/v1/logs`, compression });
  if (transport === "http/protobuf") return new ProtoLogExporter({ url: `${target.otlpHttpUrl}/v1/logs`, compression });
  return new GrpcLogExporter({ url: `http://${target.grpcAddress}`, compression });
}

export interface LogLine {
  body: LogBody;
  severity?: SeverityNumber;
  severityText?: string;
  attributes?: LogAttributes;
  /** Emit inside this span's context (the SDK then stamps its trace and span id). */
  span?: Span;
  timeMs?: number;
}

/** A logger provider for one service, exporting through the real SDK batch processor. */
export function createServiceLogger(
  service: string,
  exporter: LogRecordExporter,
  resource: Record<string, string> = {},
) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": service, ...resource }),
    processors: [
      new BatchLogRecordProcessor({
        exporter,
        scheduledDelayMillis: 100,
        maxExportBatchSize: 512,
        maxQueueSize: 100_000,
      }),
    ],
  });
  const logger = provider.getLogger("cartograph-tests");
  return {
    emit(l: LogLine): void {
      logger.emit({
        body: l.body,
        severityNumber: l.severity,
        severityText: l.severityText,
        attributes: l.attributes,
        timestamp: l.timeMs,
        context: l.span ? trace.setSpan(context.active(), l.span) : undefined,
      });
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
