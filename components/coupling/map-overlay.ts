import type { Finding, Severity } from "./types";

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface CouplingOverlay {
  /** Map node ids (`service:x`, `database:...`, `messaging:...`) named by a finding. */
  nodes: Set<string>;
  /** Map edge ids (`service:a->service:b`). */
  edges: Set<string>;
  /** The most severe finding per node or edge id, to colour it. */
  severity: Map<string, Severity>;
  /** Finding ids per node or edge id, for a tooltip or a link to /findings. */
  findings: Map<string, string[]>;
}

/**
 * Which map elements the findings point at. Every finding's services become service nodes;
 * its resources are node ids, or edge ids when they contain `->`. Findings below
 * `minSeverity` are left out.
 */
export function buildCouplingOverlay(findings: readonly Finding[], minSeverity: Severity = "info"): CouplingOverlay {
  const out: CouplingOverlay = { nodes: new Set(), edges: new Set(), severity: new Map(), findings: new Map() };
  const mark = (id: string, f: Finding) => {
    const prev = out.severity.get(id);
    if (!prev || RANK[f.severity] > RANK[prev]) out.severity.set(id, f.severity);
    const list = out.findings.get(id) ?? [];
    if (!list.includes(f.id)) list.push(f.id);
    out.findings.set(id, list);
  };
  for (const f of findings) {
    if (RANK[f.severity] < RANK[minSeverity]) continue;
    for (const s of f.services) {
      out.nodes.add(`service:${s}`);
      mark(`service:${s}`, f);
    }
    for (const r of f.resources) {
      if (r.includes("->")) out.edges.add(r);
      else out.nodes.add(r);
      mark(r, f);
    }
  }
  return out;
}

/** The node to focus on the map for one finding: its first resource node, else its first service. */
export function focusNodeOf(f: Finding): string | null {
  const node = f.resources.find((r) => !r.includes("->"));
  if (node) return node;
  const edge = f.resources.find((r) => r.includes("->"));
  if (edge) return edge.split("->")[0]!;
  return f.services[0] ? `service:${f.services[0]}` : null;
}
