"use client";
import type { RedStats } from "@/lib/api-types";
import { formatCount, formatMs, formatPercent, formatRate } from "@/lib/format";

export interface TooltipState {
  x: number;
  y: number;
  title: string;
  subtitle: string;
  stats?: RedStats;
}

export function StatsList({ stats }: { stats?: RedStats }) {
  if (!stats) return <p className="muted">No request statistics.</p>;
  return (
    <dl className="kv">
      <dt>Requests</dt>
      <dd>
        {formatCount(stats.requests)} ({formatRate(stats.rps)})
      </dd>
      <dt>Errors</dt>
      <dd>
        {formatCount(stats.errors)} ({formatPercent(stats.errorRate)})
      </dd>
      <dt>p50 / p95 / p99</dt>
      <dd>
        {formatMs(stats.p50Ms)} / {formatMs(stats.p95Ms)} / {formatMs(stats.p99Ms)}
      </dd>
    </dl>
  );
}

/** Hover card near the pointer (coordinates relative to the canvas). */
export function MapTooltip({ state }: { state: TooltipState | null }) {
  if (!state) return null;
  return (
    <div className="map-tooltip" style={{ left: state.x + 14, top: state.y + 14 }} data-testid="map-tooltip">
      <div className="title">{state.title}</div>
      <div className="muted">{state.subtitle}</div>
      <StatsList stats={state.stats} />
    </div>
  );
}
