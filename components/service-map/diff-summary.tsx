"use client";
import type { ServiceMapDiffResponse } from "@/lib/api-types";

/** One line on what changed against the previous period; removed items are listed (they are not on the map). */
export function DiffSummary({ diff }: { diff: ServiceMapDiffResponse }) {
  const removed = [
    ...diff.removed.nodes.map((n) => n.name),
    ...diff.removed.edges.map((e) => e.id.replace(/(^|->)[a-z]+:/g, "$1")),
  ];
  return (
    <div className="map-toolbar muted" data-testid="diff-summary">
      <span className="badge good">+{diff.added.nodes.length} nodes</span>
      <span className="badge good">+{diff.added.edges.length} edges</span>
      <span className="badge warn">{diff.changed.length} changed</span>
      <span className="badge error" title={removed.join("\n")}>
        −{diff.removed.nodes.length} nodes, −{diff.removed.edges.length} edges
      </span>
      {removed.length > 0 && (
        <span className="wrap">
          removed: {removed.slice(0, 6).join(", ")}
          {removed.length > 6 ? ", …" : ""}
        </span>
      )}
      <span>vs the previous period of the same length</span>
    </div>
  );
}
