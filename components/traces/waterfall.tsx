"use client";
import { formatMs } from "@/lib/format";
import type { ReactNode } from "react";
import type { WaterfallRow } from "./prepare-waterfall";

/** Span rows with bars on a shared time axis. Names are text nodes only. */
export function WaterfallView({
  rows,
  totalMs,
  collapsed,
  selected,
  onToggle,
  onSelect,
  below,
}: {
  rows: WaterfallRow[];
  totalMs: number;
  collapsed: Set<string>;
  selected: string | null;
  onToggle: (spanId: string) => void;
  onSelect: (spanId: string) => void;
  /** Rendered under a span's row (the trace view puts the span's log lines there). */
  below?: (spanId: string) => ReactNode;
}) {
  const total = totalMs > 0 ? totalMs : 1;
  return (
    <div className="waterfall" data-testid="waterfall">
      <div className="wf-header">
        <span>Span</span>
        <span className="row">
          <span>0</span>
          <span className="spacer" />
          <span>{formatMs(totalMs)}</span>
        </span>
      </div>
      {rows.map((r) => {
        const left = (r.offsetMs / total) * 100;
        const width = Math.max(0.2, (r.durationMs / total) * 100);
        const isError = r.span.status?.code === "error";
        return [
          <div
            key={r.span.spanId}
            className={r.span.spanId === selected ? "wf-row selected" : "wf-row"}
            data-span-id={r.span.spanId}
            data-critical={r.critical ? "true" : "false"}
            onClick={() => onSelect(r.span.spanId)}
          >
            <div className="wf-name" style={{ paddingLeft: r.depth * 14 }}>
              {r.hasChildren ? (
                <button
                  type="button"
                  className="toggle"
                  aria-label={collapsed.has(r.span.spanId) ? "Expand" : "Collapse"}
                  onClick={(e) => {
                    e.stopPropagation();
                    onToggle(r.span.spanId);
                  }}
                >
                  {collapsed.has(r.span.spanId) ? "▸" : "▾"}
                </button>
              ) : (
                <span className="toggle" />
              )}
              <span className="svc" style={{ background: r.color }}>{r.span.service}</span>
              <span className={isError ? "op err" : "op"} data-testid="span-name" title={r.span.name}>
                {r.span.name}
              </span>
            </div>
            <div className="wf-track">
              <div
                className={`wf-bar${r.critical ? " critical" : ""}${isError ? " error" : ""}`}
                style={{ left: `${left}%`, width: `${width}%`, background: r.color }}
                title={`${r.span.name} · ${formatMs(r.durationMs)}${r.critical ? " · critical path" : ""}`}
              />
              <span className="wf-dur" style={left + width > 85 ? { right: `${100 - left + 0.5}%` } : { left: `${left + width + 0.5}%` }}>
                {formatMs(r.durationMs)}
              </span>
            </div>
          </div>,
          below?.(r.span.spanId),
        ];
      })}
    </div>
  );
}
