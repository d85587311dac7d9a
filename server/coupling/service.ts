import "server-only";
import type { TelemetryReader } from "../store";
import { analyzeCoupling } from "./analyze";
import { computeCouplingMetrics } from "./metrics";
import { loadCouplingSpans } from "./model/load-spans";
import type { PolicyState } from "./policy/store";
import type { Policy } from "./policy/schema";
import { withSpan } from "../platform/self-tracing";
import type { TimeWindow } from "../platform/time-window";

/** Store read of the window's spans, self-traced as `coupling.load` with what it read. */
function loadTraced(telemetry: TelemetryReader, window: TimeWindow, maxTraces: number) {
  return withSpan("coupling.load", { "cartograph.coupling.max_traces": maxTraces }, async (span) => {
    const loaded = await loadCouplingSpans(telemetry.spans, window.fromMs, window.toMs, maxTraces);
    span.setAttributes({
      "cartograph.rows_read": loaded.spans.length,
      "cartograph.coupling.traces": loaded.tracesScanned,
      "cartograph.coupling.sampled": loaded.sampled,
    });
    return loaded;
  });
}

/** The pure rules over the loaded spans, self-traced as `coupling.analyze`. */
function analyzeTraced(spans: Parameters<typeof analyzeCoupling>[0], policy: Policy, now: number, window: TimeWindow) {
  return withSpan("coupling.analyze", { "cartograph.spans": spans.length }, (span) => {
    const result = analyzeCoupling(spans, policy, now, window);
    span.setAttributes({
      "cartograph.coupling.findings": result.violations.length,
      "cartograph.coupling.suppressed": result.suppressed.length,
    });
    return result;
  });
}

/** Reads a window from the store and runs the analysis: the shell around the pure rules. */
export async function getViolations(telemetry: TelemetryReader, policy: PolicyState, window: TimeWindow, now: number) {
  const loaded = await loadTraced(telemetry, window, policy.policy.settings.maxTraces);
  const result = analyzeTraced(loaded.spans, policy.policy, now, window);
  return {
    violations: result.violations,
    suppressed: result.suppressed,
    sampled: loaded.sampled,
    tracesScanned: loaded.tracesScanned,
    tracesTotal: loaded.tracesTotal,
    spansScanned: loaded.spans.length,
    policy: { path: policy.path, exists: policy.exists, valid: policy.errors.length === 0 },
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
  };
}

export async function getCouplingMetrics(
  telemetry: TelemetryReader,
  policy: PolicyState,
  window: TimeWindow,
  now: number,
) {
  const loaded = await loadTraced(telemetry, window, policy.policy.settings.maxTraces);
  const result = analyzeTraced(loaded.spans, policy.policy, now, window);
  const metrics = computeCouplingMetrics(result.model, policy.policy);
  return {
    services: metrics.services,
    system: metrics.system,
    sampled: loaded.sampled,
    tracesScanned: loaded.tracesScanned,
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
  };
}
