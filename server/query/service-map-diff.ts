import "server-only";
import type { z } from "zod";
import type { ChangeReason, MapChange, getServiceMapDiff as getServiceMapDiffEndpoint } from "../../lib/contract";
import type { TelemetryReader } from "../store";
import type { MapEdge, MapNode, MapScope, MapStats, ServiceMap } from "../aggregate/servicegraph";
import { getServiceMap } from "./service-map";
import type { TimeWindow } from "../platform/time-window";

/** When a node or edge present in both windows counts as changed. Rates are compared per second. */
export const DIFF_THRESHOLDS = {
  /** traffic: rps at least ×2 or at most ÷2 ... */
  trafficRatio: 2,
  /** ... once either side has this many requests (tiny counts are noise). */
  minRequests: 10,
  /** errors: error rate moved by at least this many points (fraction) and the health changed or doubled. */
  errorRateDelta: 0.01,
  /** latency: p95 at least ×1.5 (or ÷1.5) and at least this many ms apart. */
  p95Ratio: 1.5,
  p95DeltaMs: 5,
} as const;

export type { ChangeReason, MapChange };
/** The diff answer (lib/contract getServiceMapDiff response). */
export type ServiceMapDiff = z.output<typeof getServiceMapDiffEndpoint.response>;

/** Why `after` differs from `before` (empty: not a notable change). Pure. */
export function compareStats(
  before: MapStats,
  after: MapStats,
  healthBefore: string,
  healthAfter: string,
): ChangeReason[] {
  const t = DIFF_THRESHOLDS;
  const reasons: ChangeReason[] = [];
  if (Math.max(before.requests, after.requests) >= t.minRequests) {
    if (after.rps >= before.rps * t.trafficRatio) reasons.push("traffic-up");
    else if (after.rps * t.trafficRatio <= before.rps) reasons.push("traffic-down");
  }
  const eb = before.errorRate ?? 0;
  const ea = after.errorRate ?? 0;
  if (Math.abs(ea - eb) >= t.errorRateDelta && (healthBefore !== healthAfter || ea >= eb * 2 || eb >= ea * 2)) {
    reasons.push(ea > eb ? "errors-up" : "errors-down");
  }
  if (before.p95Ms !== null && after.p95Ms !== null && Math.abs(after.p95Ms - before.p95Ms) >= t.p95DeltaMs) {
    if (after.p95Ms >= before.p95Ms * t.p95Ratio) reasons.push("p95-up");
    else if (after.p95Ms * t.p95Ratio <= before.p95Ms) reasons.push("p95-down");
  }
  if (healthBefore !== healthAfter && healthBefore !== "unknown" && healthAfter !== "unknown") reasons.push("health");
  return reasons;
}

/** Set difference of two maps plus the notable stat changes of what both contain. Pure. */
export function diffServiceMaps(
  current: ServiceMap,
  base: ServiceMap,
  window: TimeWindow,
  baseline: TimeWindow,
): ServiceMapDiff {
  const baseNodes = new Map(base.nodes.map((n) => [n.id, n]));
  const baseEdges = new Map(base.edges.map((e) => [e.id, e]));
  const curNodes = new Set(current.nodes.map((n) => n.id));
  const curEdges = new Set(current.edges.map((e) => e.id));
  const changed: MapChange[] = [];
  const consider = (id: string, kind: "node" | "edge", a: MapNode | MapEdge, b: MapNode | MapEdge | undefined) => {
    if (!b) return;
    const reasons = compareStats(b.stats, a.stats, b.health, a.health);
    if (reasons.length > 0)
      changed.push({
        id,
        kind,
        before: { stats: b.stats, health: b.health },
        after: { stats: a.stats, health: a.health },
        reasons,
      });
  };
  for (const n of current.nodes) consider(n.id, "node", n, baseNodes.get(n.id));
  for (const e of current.edges) consider(e.id, "edge", e, baseEdges.get(e.id));
  return {
    window,
    baseline,
    added: {
      nodes: current.nodes.filter((n) => !baseNodes.has(n.id)),
      edges: current.edges.filter((e) => !baseEdges.has(e.id)),
    },
    removed: {
      nodes: base.nodes.filter((n) => !curNodes.has(n.id)),
      edges: base.edges.filter((e) => !curEdges.has(e.id)),
    },
    changed,
  };
}

/** What changed between `baseline` and `window` (the answer of `/api/v1/service-map/diff`). */
export async function getServiceMapDiff(
  telemetry: TelemetryReader,
  window: TimeWindow,
  baseline: TimeWindow,
  scope?: MapScope,
): Promise<ServiceMapDiff> {
  const [current, base] = await Promise.all([
    getServiceMap(telemetry, { ...window, scope }),
    getServiceMap(telemetry, { ...baseline, scope }),
  ]);
  return diffServiceMaps(current, base, window, baseline);
}
