"use client";
import { useVirtualizer } from "@tanstack/react-virtual";
import { formatMs, textColorOnName } from "@/lib/format";
import { useEffect, useRef, type ReactNode } from "react";
import type { WaterfallRow } from "./prepare-waterfall";

/** Height of one span row (app/globals.css .wf-row); rows with log lines below are measured. */
const ROW_PX = 28;

/**
 * Span rows with bars on a shared time axis. Only the rows in view (plus a margin) are in the
 * DOM, so a 10,000-span trace opens and scrolls like a 50-span one. Names are text nodes only.
 */
export function WaterfallView({
  rows,
  totalMs,
  collapsed,
  selected,
  matches,
  scrollTo,
  onToggle,
  onSelect,
  below,
}: {
  rows: WaterfallRow[];
  totalMs: number;
  collapsed: Set<string>;
  selected: string | null;
  /** Span ids matching the search in the trace (highlighted). */
  matches?: Set<string>;
  /** Row index to bring into view (search navigation, a span opened from a link). */
  scrollTo?: number | null;
  onToggle: (spanId: string) => void;
  onSelect: (spanId: string) => void;
  /** Rendered under a span's row (the trace view puts the span's log lines there). */
  below?: (spanId: string) => ReactNode;
}) {
  const total = totalMs > 0 ? totalMs : 1;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 15,
    getItemKey: (i) => rows[i]!.span.spanId,
  });
  useEffect(() => {
    if (scrollTo !== null && scrollTo !== undefined && scrollTo >= 0 && scrollTo < rows.length)
      virtualizer.scrollToIndex(scrollTo, { align: "center" });
  }, [scrollTo, rows.length, virtualizer]);

  return (
    <div className="waterfall" data-testid="waterfall" data-rows={rows.length}>
      <div className="wf-header">
        <span>Span</span>
        <span className="row">
          <span>0</span>
          <span className="spacer" />
          <span>{formatMs(totalMs)}</span>
        </span>
      </div>
      <div className="wf-scroll" ref={scroller} role="tree" aria-label="Spans">
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const r = rows[item.index]!;
            const left = (r.offsetMs / total) * 100;
            const width = Math.max(0.2, (r.durationMs / total) * 100);
            const isError = r.span.status?.code === "error";
            const id = r.span.spanId;
            const cls = `wf-row${id === selected ? " selected" : ""}${matches?.has(id) ? " match" : ""}`;
            return (
              <div
                key={item.key}
                data-index={item.index}
                ref={virtualizer.measureElement}
                className="wf-item"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <div
                  className={cls}
                  data-span-id={id}
                  data-critical={r.critical ? "true" : "false"}
                  role="treeitem"
                  aria-level={r.depth + 1}
                  aria-selected={id === selected}
                  aria-expanded={r.hasChildren ? !collapsed.has(id) : undefined}
                  tabIndex={0}
                  onClick={() => onSelect(id)}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      onSelect(id);
                    } else if (
                      (e.key === "ArrowLeft" && !collapsed.has(id)) ||
                      (e.key === "ArrowRight" && collapsed.has(id))
                    ) {
                      if (r.hasChildren) onToggle(id);
                    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                      e.preventDefault();
                      const next = item.index + (e.key === "ArrowDown" ? 1 : -1);
                      if (next < 0 || next >= rows.length) return;
                      virtualizer.scrollToIndex(next);
                      requestAnimationFrame(() =>
                        scroller.current
                          ?.querySelector<HTMLElement>(`[data-span-id="${rows[next]!.span.spanId}"]`)
                          ?.focus(),
                      );
                    }
                  }}
                >
                  <div className="wf-name" style={{ paddingLeft: r.depth * 14 }}>
                    {r.hasChildren ? (
                      <button
                        type="button"
                        className="toggle"
                        tabIndex={-1}
                        aria-label={collapsed.has(id) ? "Expand" : "Collapse"}
                        onClick={(e) => {
                          e.stopPropagation();
                          onToggle(id);
                        }}
                      >
                        {collapsed.has(id) ? "▸" : "▾"}
                      </button>
                    ) : (
                      <span className="toggle" />
                    )}
                    <span className="svc" style={{ background: r.color, color: textColorOnName(r.span.service) }}>
                      {r.span.service}
                    </span>
                    <span className={isError ? "op err" : "op"} data-testid="span-name" title={r.span.name}>
                      {isError && <span aria-hidden>⚠ </span>}
                      {r.span.name}
                      {isError && <span className="sr-only"> (error)</span>}
                    </span>
                  </div>
                  <div className="wf-track">
                    <div
                      className={`wf-bar${r.critical ? " critical" : ""}${isError ? " error" : ""}`}
                      style={{ left: `${left}%`, width: `${width}%`, background: r.color }}
                      title={`${r.span.name} · ${formatMs(r.durationMs)}${r.critical ? " · critical path" : ""}`}
                    />
                    <span
                      className="wf-dur"
                      style={left + width > 85 ? { right: `${100 - left + 0.5}%` } : { left: `${left + width + 0.5}%` }}
                    >
                      {formatMs(r.durationMs)}
                    </span>
                  </div>
                </div>
                {below?.(id)}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
