import { SEVERITY_RANGES, type LogHistogramResponse, type SeverityRange } from "@/lib/log-types";

/** Colours per severity range; unspecified and trace stay quiet, error and fatal stand out. */
export const SEVERITY_COLORS: Record<SeverityRange, string> = {
  unspecified: "#8a8f98",
  trace: "#a7b1c2",
  debug: "#6b8fd6",
  info: "#3fa66b",
  warn: "#d9a21b",
  error: "#d9534f",
  fatal: "#8e1b5a",
};

export interface HistogramRow {
  t: number;
  /** Zoom target of a click on this bar. */
  endMs: number;
  total: number;
  [range: string]: number;
}

/**
 * Rows for a stacked bar chart, and the ranges that have any count (the others would only
 * clutter the legend). A click on a bar zooms to [t, endMs).
 */
export function prepareLogHistogram(h: LogHistogramResponse): {
  rows: HistogramRow[];
  ranges: SeverityRange[];
  stepMs: number;
} {
  const stepMs = h.stepSeconds * 1000;
  const used = new Set<SeverityRange>();
  const rows = h.buckets.map((b) => {
    const row: HistogramRow = { t: b.t, endMs: b.t + stepMs, total: b.total };
    for (const r of SEVERITY_RANGES) {
      row[r] = b.counts[r] ?? 0;
      if (row[r]! > 0) used.add(r);
    }
    return row;
  });
  return { rows, ranges: SEVERITY_RANGES.filter((r) => used.has(r)), stepMs };
}
