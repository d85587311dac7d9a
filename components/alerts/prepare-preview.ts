import type { Preview } from "./types";

/**
 * Turns a rule preview into chart rows: one row per instant, one column per series (at most
 * 10, labelled by the labels that differ), values scaled to the unit the threshold uses
 * (error rates as %), gaps kept as null so lines break instead of dropping to zero.
 */
export interface PreviewChart {
  rows: Record<string, number | null>[];
  series: { key: string; label: string }[];
  threshold: number | null;
  unit: string;
}

export function preparePreview(p: Preview, signal: string | undefined): PreviewChart {
  const pct = signal === "error_rate";
  const scale = (v: number | null) => (v === null || !Number.isFinite(v) ? null : pct ? v * 100 : v);
  const varying = new Set<string>();
  for (const s of p.series)
    for (const [k, v] of Object.entries(s.labels)) if (p.series.some((o) => o.labels[k] !== v)) varying.add(k);
  const series = p.series.map((s, i) => ({
    key: `s${i}`,
    label:
      [...varying]
        .map((k) => s.labels[k] ?? "")
        .filter(Boolean)
        .join(" / ") ||
      s.labels.service ||
      s.labels.alertname ||
      `series ${i + 1}`,
  }));
  const times = [...new Set(p.series.flatMap((s) => s.points.map((pt) => pt.t)))].sort((a, b) => a - b);
  const rows = times.map((t) => {
    const row: Record<string, number | null> = { t };
    p.series.forEach((s, i) => {
      const pt = s.points.find((x) => x.t === t);
      row[`s${i}`] = pt ? scale(pt.value) : null;
    });
    return row;
  });
  const unit = pct ? "%" : signal?.startsWith("latency") ? "ms" : signal === "request_rate" ? "req/s" : "";
  return { rows, series, threshold: scale(p.threshold), unit };
}
