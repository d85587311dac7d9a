import "server-only";
import os from "node:os";
import type { Tracer } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  AlwaysOnSampler,
  ParentBasedSampler,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { SELF_TRACE_HEADER, SELF_TRACE_SLOT, type SelfTraceTarget } from "./self-tracing-target";

const COUNTER = SELF_TRACE_SLOT;

/** How long an export to the process's own receiver waits for it to listen before trying anyway. */
const RECEIVER_WAIT_MS = 120_000;
const RECEIVER_POLL_MS = 200;

/** Resolves once the main thread has marked the receiver listening (or after RECEIVER_WAIT_MS). */
async function waitForReceiver(counters: BigInt64Array): Promise<void> {
  const deadline = Date.now() + RECEIVER_WAIT_MS;
  while (Atomics.load(counters, COUNTER.receiverReady) === 0n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, RECEIVER_POLL_MS));
}

export interface SelfTracerHandle {
  tracer: Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The OpenTelemetry SDK for one thread: every root it is given is kept (the ratio is decided
 * before, see withSpan), children follow their parent, a batch processor and the OTLP/HTTP exporter. Loaded only when self-tracing is on.
 * Export requests carry SELF_TRACE_HEADER so the receiving ingest does not trace them (no
 * feedback loop); no instrumentation library is installed, so exporting creates no spans.
 * With the `self` target, exports wait until the process's receiver listens: the spans of
 * the start (opening the store, migrations) would otherwise be refused and lost.
 */
export function createSelfTracer(target: SelfTraceTarget, thread: string, counters: BigInt64Array): SelfTracerHandle {
  const exporter = new OTLPTraceExporter({
    url: target.url,
    headers: { [SELF_TRACE_HEADER]: "1" },
    timeoutMillis: 5000,
  });
  const send: SpanExporter["export"] = (spans, done) =>
    target.self && Atomics.load(counters, COUNTER.receiverReady) === 0n
      ? void waitForReceiver(counters).then(() => exporter.export(spans, done))
      : exporter.export(spans, done);
  const counting: SpanExporter = {
    export(spans, done) {
      send(spans, (r) => {
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
    // The standard OTEL_RESOURCE_ATTRIBUTES adds attributes (deployment.environment.name puts
    // Cartograph in its fleet's environment); the service name and thread stay Cartograph's.
    resource: detectResources({ detectors: [envDetector] }).merge(
      resourceFromAttributes({
        "service.name": "cartograph",
        "service.instance.id": `${os.hostname()}:${process.pid}`,
        "process.pid": process.pid,
        "cartograph.thread": thread,
      }),
    ),
    // The ratio is applied before the SDK is called (withSpan in self-tracing.ts), so the roots
    // that reach it are all kept; children follow their parent, local or from another thread.
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [
      countStarted,
      // Export every 5 s (the OpenTelemetry default; OTEL_BSP_SCHEDULE_DELAY overrides it): with
      // `self` each export is an ingest request of this process, whose fixed cost (a request, a
      // commit, a span block) is paid per export, so fewer, larger exports cost less.
      new BatchSpanProcessor(counting, { maxExportBatchSize: 512, maxQueueSize: 4096 }),
    ],
  });
  return {
    tracer: provider.getTracer("cartograph"),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
