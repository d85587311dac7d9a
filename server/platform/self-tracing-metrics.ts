import "server-only";
import type client from "prom-client";
import { registerCounterFn, registerGaugeFn } from "./self-metrics";
import { getSelfTracingStatus } from "./self-tracing";

/** /metrics lines for self-tracing: whether it is on, and spans recorded / exported / lost in export, all threads. */
export function registerSelfTracingMetrics(registry: client.Registry): void {
  registerGaugeFn(
    registry,
    "cartograph_self_tracing_enabled",
    "1 when Cartograph traces itself (CARTOGRAPH_SELF_TRACES is not off).",
    () => (getSelfTracingStatus().enabled ? 1 : 0),
  );
  registerCounterFn(
    registry,
    "cartograph_self_tracing_spans_started_total",
    "Sampled self-tracing spans started, all threads.",
    () => getSelfTracingStatus().spansStarted,
  );
  registerCounterFn(
    registry,
    "cartograph_self_tracing_spans_exported_total",
    "Self-tracing spans the exporter delivered.",
    () => getSelfTracingStatus().spansExported,
  );
  registerCounterFn(
    registry,
    "cartograph_self_tracing_spans_failed_total",
    "Self-tracing spans lost because an export failed.",
    () => getSelfTracingStatus().spansFailed,
  );
}
