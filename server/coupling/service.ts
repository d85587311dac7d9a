import "server-only";
import type { Db } from "../store";
import { analyzeCoupling } from "./analyze";
import { computeCouplingMetrics } from "./metrics";
import { loadCouplingSpans } from "./model/load-spans";
import type { PolicyState } from "./policy/store";

/** Reads a window from the store and runs the analysis: the shell around the pure rules. */
export function getViolations(db: Db, policy: PolicyState, window: { fromMs: number; toMs: number }, now: number) {
  const loaded = loadCouplingSpans(db, window.fromMs, window.toMs, policy.policy.settings.maxTraces);
  const result = analyzeCoupling(loaded.spans, policy.policy, now, window);
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

export function getCouplingMetrics(db: Db, policy: PolicyState, window: { fromMs: number; toMs: number }, now: number) {
  const loaded = loadCouplingSpans(db, window.fromMs, window.toMs, policy.policy.settings.maxTraces);
  const result = analyzeCoupling(loaded.spans, policy.policy, now, window);
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
