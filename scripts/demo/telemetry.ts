// Child-side OpenTelemetry setup: the real SDK, the real OTLP/HTTP protobuf exporters and the
// real http + grpc instrumentations, exactly what a production Node service would run.
// Contract: call startTelemetry() before anything loads `node:http` or `@grpc/grpc-js`, and
// load those through `loadModule()` (CommonJS require) so the instrumentation hooks see them.
import { createRequire } from "node:module";
import os from "node:os";
import { metrics, trace, type Meter, type Tracer } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { createRequestLogProcessor } from "./span-logs";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  instanceId: string;
  /** OTLP/HTTP base URL, e.g. http://localhost:4318 (the SDK default). */
  endpoint: string;
  /** Incoming paths that are transport plumbing (broker deliveries), never business requests. */
  ignoredIncomingPaths?: string[];
}

export interface Telemetry {
  tracer: Tracer;
  meter: Meter;
  /** Flushes pending spans, log lines and metrics, then stops the exporters. */
  shutdown(): Promise<void>;
}

export const SERVICE_NAMESPACE = "shop";
export const DEPLOYMENT_ENVIRONMENT = "demo";

const requireCjs = createRequire(import.meta.url);

/** Loads a CommonJS module through `require`, where the instrumentation hooks patch it. */
export function loadModule<T>(name: string): T {
  return requireCjs(name) as T;
}

export function startTelemetry(options: TelemetryOptions): Telemetry {
  const base = options.endpoint.replace(/\/+$/, "");
  const resource = resourceFromAttributes({
    "service.name": options.serviceName,
    "service.namespace": SERVICE_NAMESPACE,
    "service.version": options.serviceVersion,
    "service.instance.id": options.instanceId,
    "deployment.environment.name": DEPLOYMENT_ENVIRONMENT,
    "host.name": os.hostname(),
    "process.pid": process.pid,
    "process.runtime.name": "nodejs",
    "process.runtime.version": process.versions.node,
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter({ url: `${base}/v1/logs` }),
        scheduledDelayMillis: 1000,
        maxQueueSize: 4096,
      }),
    ],
  });
  // scheduledDelayMillis 1 s: a live map fills within seconds of `npm run demo`.
  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      createRequestLogProcessor(loggerProvider.getLogger("shop-demo", options.serviceVersion), options.serviceName),
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${base}/v1/traces` }), {
        scheduledDelayMillis: 1000,
        maxExportBatchSize: 512,
        maxQueueSize: 4096,
      }),
    ],
  });
  tracerProvider.register();
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }),
        exportIntervalMillis: 5000,
      }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const ignored = new Set(options.ignoredIncomingPaths ?? []);
  registerInstrumentations({
    tracerProvider,
    meterProvider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => ignored.has((req.url ?? "").split("?")[0]),
      }),
      new GrpcInstrumentation(),
    ],
  });
  return {
    tracer: trace.getTracer("shop-demo", options.serviceVersion),
    meter: metrics.getMeter("shop-demo", options.serviceVersion),
    async shutdown() {
      await tracerProvider.shutdown().catch(() => undefined);
      await Promise.allSettled([loggerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
