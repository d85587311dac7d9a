import "server-only";
import os from "node:os";
import type { Tracer } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { SELF_TRACE_HEADER, type SelfTraceTarget } from "./self-tracing-target";

/** Slots of the counters shared by every thread of the process (a SharedArrayBuffer). */
export const COUNTER = { started: 0, exported: 1, failed: 2 } as const;

export interface SelfTracerHandle {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK for one thread: ratio sampling of roots (children follow their
 * parent), a batch processor and the OTLP/HTTP exporter. Loaded only when self-tracing is on.
 * Export requests carry SELF_TRACE_HEADER so the receiving ingest does not trace them (no
 * feedback loop); no instrumentation library is installed, so exporting creates no spans.
 */
export function createSelfTracer(target: SelfTraceTarget, thread: string, counters: BigInt64Array): SelfTracerHandle {
  const exporter = new OTLPTraceExporter({
    url: target.url,
    headers: { [SELF_TRACE_HEADER]: "1" },
    timeoutMillis: 5000,
  });
  const counting: SpanExporter = {
    export(spans, done) {
      exporter.export(spans, (r) => {
        Atomics.add(
          counters,
          r.code === ExportResultCode.SUCCESS ? COUNTER.exported : COUNTER.failed,
          BigInt(spans.length),
        );
        done(r);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  // Called for sampled spans only: unsampled ones never reach a processor.
  const countStarted: SpanProcessor = {
    onStart: () => void Atomics.add(counters, COUNTER.started, 1n),
    onEnd: () => undefined,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      "service.name": "cartograph",
      "service.instance.id": `${os.hostname()}:${process.pid}`,
      "process.pid": process.pid,
      "cartograph.thread": thread,
    }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(target.ratio) }),
    spanProcessors: [
      countStarted,
      new BatchSpanProcessor(counting, { scheduledDelayMillis: 1000, maxExportBatchSize: 512, maxQueueSize: 4096 }),
    ],
  });
  return {
    tracer: provider.getTracer("cartograph"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
