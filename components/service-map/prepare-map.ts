import type {
  Completeness,
  Health,
  MapEdgeSummary,
  MapNodeSummary,
  RedStats,
  ServiceMapDiffResponse,
  ServiceMapSummaryResponse,
  ServiceSummary,
} from "@/lib/api-types";
import { formatMs, formatPercent, formatRate } from "@/lib/format";
import { assignGroups, type GroupBy } from "@/lib/map-layout/groups";

export { assignGroups, chooseGroupBy, type GroupBy } from "@/lib/map-layout/groups";

/** Against the previous period of equal length (diff mode): new, or notably changed. */
export type ChangeMark = "added" | "changed" | null;

export interface PreparedNode {
  id: string;
  node: MapNodeSummary;
  label: string;
  sub: string;
  health: Health;
  group: string | null;
  match: boolean;
  change: ChangeMark;
  changeReasons: string[];
}

export interface PreparedEdge {
  id: string;
  source: string;
  target: string;
  edge: MapEdgeSummary;
  width: number;
  label: string;
  severity: "ok" | "warning" | "critical";
  change: ChangeMark;
}

export interface PreparedMap {
  nodes: PreparedNode[];
  edges: PreparedEdge[];
  groups: string[];
  matches: string[];
}

/** Below these sizes edge labels are shown at normal zoom; above, only on hover/selection. */
export const LABEL_EDGE_LIMIT = 150;

/** Stroke width 1..8 on a log scale of the edge's rate relative to the busiest edge. */
export function computeEdgeWidth(rps: number | undefined, maxRps: number): number {
  if (!rps || rps <= 0 || maxRps <= 0) return 1;
  const w = 1 + (7 * Math.log1p(rps)) / Math.log1p(maxRps);
  return Math.round(Math.min(8, Math.max(1, w)) * 10) / 10;
}

/** `1.2/s · 1.0% · p95 80 ms` (error part only when there are errors). */
export function formatEdgeLabel(stats: RedStats | undefined): string {
  if (!stats) return "";
  const parts = [formatRate(stats.rps)];
  if (stats.errorRate > 0) parts.push(`${formatPercent(stats.errorRate)} err`);
  if (stats.p95Ms !== null && stats.p95Ms !== undefined) parts.push(`p95 ${formatMs(stats.p95Ms)}`);
  return parts.join(" · ");
}

/** The edge's colour from the health the server computed (no data draws as ok). */
export function edgeSeverity(health: Health | undefined): "ok" | "warning" | "critical" {
  return health === "warning" || health === "critical" ? health : "ok";
}

/** Second line under a node's name: what it is (system, host, port). */
export function describeNode(n: MapNodeSummary): string {
  if (n.kind === "database")
    return [n.system, n.host && `${n.host}${n.port ? `:${n.port}` : ""}`].filter(Boolean).join(" · ") || "database";
  if (n.kind === "messaging") return n.system ? `${n.system} topic` : "queue";
  if (n.kind === "external") return "external";
  if (n.kind === "client") return "client";
  return n.stats ? `${formatRate(n.stats.rps)} · p95 ${formatMs(n.stats.p95Ms)}` : "service";
}

/** Turns the API answer into what the canvas draws: labels, health, group, search match, edge width/label. */
export function prepareMap(
  res: ServiceMapSummaryResponse,
  opts: { search: string; groupBy: GroupBy; services: ServiceSummary[]; diff?: ServiceMapDiffResponse | null },
): PreparedMap {
  const q = opts.search.trim().toLowerCase();
  const marks = markChanges(opts.diff ?? null);
  const groups = assignGroups(res.nodes, res.edges, opts.groupBy, opts.services);
  const ids = new Set(res.nodes.map((n) => n.id));
  const nodes: PreparedNode[] = res.nodes.map((n) => ({
    id: n.id,
    node: n,
    label: n.name,
    sub: describeNode(n),
    health: n.health ?? "unknown",
    group: groups.get(n.id) ?? null,
    match: !!q && (n.name.toLowerCase().includes(q) || n.id.toLowerCase().includes(q)),
    change: marks.get(n.id)?.mark ?? null,
    changeReasons: marks.get(n.id)?.reasons ?? [],
  }));
  const maxRps = Math.max(0, ...res.edges.map((e) => e.stats?.rps ?? 0));
  const edges: PreparedEdge[] = res.edges
    .filter((e) => ids.has(e.source) && ids.has(e.target))
    .map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      edge: e,
      width: computeEdgeWidth(e.stats?.rps, maxRps),
      label: formatEdgeLabel(e.stats),
      severity: edgeSeverity(e.health),
      change: marks.get(e.id)?.mark ?? null,
    }));
  const groupNames = [...new Set(nodes.map((n) => n.group).filter((g): g is string => !!g))].sort();
  return { nodes, edges, groups: groupNames, matches: nodes.filter((n) => n.match).map((n) => n.id) };
}

/** Node and edge ids marked by a diff: added ones, and changed ones with their reasons. */
export function markChanges(
  diff: ServiceMapDiffResponse | null,
): Map<string, { mark: Exclude<ChangeMark, null>; reasons: string[] }> {
  const out = new Map<string, { mark: Exclude<ChangeMark, null>; reasons: string[] }>();
  if (!diff) return out;
  for (const c of diff.changed ?? []) out.set(c.id, { mark: "changed", reasons: c.reasons ?? [] });
  for (const n of diff.added?.nodes ?? []) out.set(n.id, { mark: "added", reasons: [] });
  for (const e of diff.added?.edges ?? []) out.set(e.id, { mark: "added", reasons: [] });
  return out;
}

/**
 * Share of calls whose both halves were seen (1 when nothing was seen). The server's `ratio`
 * wins; otherwise lost halves are unpaired client/server spans and dropped ones. `expired`
 * is not a loss: a call to an uninstrumented database or API expires into its typed node.
 */
export function computeCompleteness(c: Pick<Completeness, "ratio"> | undefined): number | null {
  // The server computes the ratio (null with nothing to pair); the browser never re-derives it.
  return c?.ratio ?? null;
}
