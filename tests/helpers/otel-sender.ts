import { context, trace, SpanKind, SpanStatusCode, type Attributes, type HrTime, type Span } from "@opentelemetry/api";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPTraceExporter as GrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";

export type Transport = "http/json" | "http/protobuf" | "grpc";

export function createExporter(
  transport: Transport,
  target: { otlpHttpUrl: string; grpcAddress: string },
  gzip = false,
): SpanExporter {
  const compression = (gzip ? "gzip" : "none") as never;
  if (transport === "http/json") return new HttpJsonExporter({ url: `${target.otlpHttpUrl}/v1/traces`, compression });
  if (transport === "http/protobuf") return new ProtoExporter({ url: `${target.otlpHttpUrl}/v1/traces`, compression });
  return new GrpcExporter({ url: `http://${target.grpcAddress}`, compression });
}

/** A tracer provider for one service, exporting with the real OTLP exporter of `transport`. */
export function createServiceTracer(service: string, exporter: SpanExporter, resource: Attributes = {}) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": service, ...resource }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: 100, maxExportBatchSize: 512, maxQueueSize: 100_000 }),
    ],
  });
  const tracer = provider.getTracer("cartograph-tests");
  return {
    provider,
    /** Starts a span with explicit kind, times and parent (no context manager needed). */
    span(
      name: string,
      o: {
        kind?: SpanKind;
        parent?: Span;
        start?: HrTime | number;
        attributes?: Attributes;
        links?: { context: ReturnType<Span["spanContext"]> }[];
      } = {},
    ): Span {
      const ctx = o.parent ? trace.setSpan(context.active(), o.parent) : context.active();
      return tracer.startSpan(
        name,
        { kind: o.kind ?? SpanKind.INTERNAL, startTime: o.start, attributes: o.attributes, links: o.links },
        ctx,
      );
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

export { SpanKind, SpanStatusCode };

/** [seconds, nanos] → exact nanoseconds since epoch as a string, as the API reports it. */
export function hrToNanos(t: HrTime): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}
