"use client";
import { useState } from "react";
import type { Completeness } from "@/lib/api-types";
import { CompletenessBadge } from "./completeness-badge";
import type { GroupBy } from "./prepare-map";

export interface MapToolbarProps {
  search: string;
  focus: string | null;
  depth: number;
  groupBy: GroupBy;
  view: "graph" | "table";
  diff: boolean;
  selectedNode: string | null;
  counts: { nodes: number; edges: number; matches: number };
  completeness?: Completeness;
  set: (changes: Record<string, string | null>, mode?: "replace" | "push") => void;
  onRelayout: () => void;
}

/** Search, focus with N hops, grouping, graph/table switch, counts and completeness. */
export function MapToolbar(p: MapToolbarProps) {
  const [draft, setDraft] = useState(p.search);
  return (
    <div className="map-toolbar">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          p.set({ q: draft });
        }}
      >
        <input
          type="search"
          placeholder="Search nodes (Enter)"
          aria-label="Search nodes"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
      </form>
      {p.search && (
        <span className="muted" data-testid="match-count">
          {p.counts.matches} match{p.counts.matches === 1 ? "" : "es"}
        </span>
      )}
      {p.focus ? (
        <>
          <span className="badge" title={p.focus}>
            focus: {p.focus.replace(/^[a-z]+:/, "")}
          </span>
          <label className="muted">
            hops{" "}
            <select aria-label="Focus depth" value={p.depth} onChange={(e) => p.set({ depth: e.target.value }, "push")}>
              {[1, 2, 3, 4, 5].map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn small" onClick={() => p.set({ focus: null, depth: null }, "push")}>
            Clear focus
          </button>
        </>
      ) : (
        <button
          type="button"
          className="btn small"
          disabled={!p.selectedNode}
          onClick={() => p.set({ focus: p.selectedNode, depth: "1" }, "push")}
        >
          Focus on selection
        </button>
      )}
      <label className="muted">
        Group{" "}
        <select aria-label="Group by" value={p.groupBy} onChange={(e) => p.set({ group: e.target.value }, "push")}>
          <option value="none">none</option>
          <option value="namespace">namespace</option>
          <option value="environment">environment</option>
        </select>
      </label>
      <label className="muted" title="Mark what is new or changed against the previous period of the same length">
        <input type="checkbox" checked={p.diff} onChange={(e) => p.set({ diff: e.target.checked ? "1" : null })} />{" "}
        Changes
      </label>
      <div className="preset-group" role="group" aria-label="View">
        <button
          type="button"
          className={p.view === "graph" ? "chip active" : "chip"}
          onClick={() => p.set({ view: null })}
        >
          Graph
        </button>
        <button
          type="button"
          className={p.view === "table" ? "chip active" : "chip"}
          onClick={() => p.set({ view: "table" })}
        >
          Table
        </button>
      </div>
      <button
        type="button"
        className="btn small"
        onClick={p.onRelayout}
        title="Forget saved positions and lay the map out again"
      >
        Re-layout
      </button>
      <span className="spacer" />
      <span className="muted" data-testid="map-counts">
        {p.counts.nodes} nodes · {p.counts.edges} edges
      </span>
      <CompletenessBadge completeness={p.completeness} />
    </div>
  );
}
