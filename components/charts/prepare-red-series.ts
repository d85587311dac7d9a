import type { RedPoint } from "@/lib/api-types";

/** What a chart reads of a step: counts and latency (a service's RedPoint or one side of an edge's EdgePoint). */
export type RedCounts = Pick<RedPoint, "t" | "requests" | "errors" | "p50Ms" | "p95Ms" | "p99Ms">;

/** One chart row per step. Null fields are gaps (no data), drawn as breaks, never as zero latency. */
export interface RedRow {
  t: number;
  rps: number | null;
  errorsPerSec: number | null;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RedSeries {
  rows: RedRow[];
  /** Latency display unit: seconds once the slowest p99 reaches one second. */
  latencyUnit: "ms" | "s";
  domain: [number, number];
  hasData: boolean;
}

export const RED_COLORS = {
  requests: "#5aa9ff",
  errors: "#f85149",
  p50: "#3fb950",
  p95: "#d29922",
  p99: "#f778ba",
} as const;

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * Aligns API points on the step grid of [fromMs, toMs): a step the API left out becomes a
 * row of nulls, so recharts (connectNulls=false) draws a gap there. Counts become per-second rates.
 */
export function prepareRedSeries(points: RedCounts[], fromMs: number, toMs: number, stepSec: number): RedSeries {
  const stepMs = Math.max(1, Math.round(stepSec * 1000));
  const byStep = new Map<number, RedCounts>();
  for (const p of points) byStep.set(Math.floor(p.t / stepMs) * stepMs, p);

  const start = Math.floor(fromMs / stepMs) * stepMs;
  const rows: RedRow[] = [];
  let maxLatency = 0;
  let hasData = false;
  // Guard against absurd step counts (e.g. a 7-day window at a 10 s step): cap at 5,000 rows.
  const count = Math.min(5000, Math.max(0, Math.ceil((toMs - start) / stepMs)));
  for (let i = 0; i < count; i++) {
    const t = start + i * stepMs;
    const p = byStep.get(t);
    const requests = num(p?.requests);
    const errors = num(p?.errors);
    const row: RedRow = {
      t,
      rps: requests === null ? null : requests / stepSec,
      errorsPerSec: errors === null ? (requests === null ? null : 0) : errors / stepSec,
      errorRate: requests ? (errors ?? 0) / requests : null,
      p50: num(p?.p50Ms),
      p95: num(p?.p95Ms),
      p99: num(p?.p99Ms),
    };
    if (requests !== null) hasData = true;
    maxLatency = Math.max(maxLatency, row.p99 ?? 0, row.p95 ?? 0, row.p50 ?? 0);
    rows.push(row);
  }
  const latencyUnit = maxLatency >= 1000 ? "s" : "ms";
  if (latencyUnit === "s") {
    for (const r of rows) {
      r.p50 = r.p50 === null ? null : r.p50 / 1000;
      r.p95 = r.p95 === null ? null : r.p95 / 1000;
      r.p99 = r.p99 === null ? null : r.p99 / 1000;
    }
  }
  return { rows, latencyUnit, domain: [start, start + count * stepMs], hasData };
}

/** Sparkline values: requests per step, null where the step had no data. */
export function prepareSparkline(
  points: RedCounts[],
  fromMs: number,
  toMs: number,
  stepSec: number,
): Array<{ t: number; v: number | null }> {
  return prepareRedSeries(points, fromMs, toMs, stepSec).rows.map((r) => ({ t: r.t, v: r.rps }));
}

/** `count` evenly spaced ticks on round minutes (when the span allows) across the domain. */
export function computeTimeTicks(domain: [number, number], count = 6): number[] {
  const [a, b] = domain;
  if (!(b > a)) return [];
  const raw = (b - a) / count;
  const nice = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map(
    (s) => s * 1000,
  );
  // The largest round step that still gives at least `count` ticks (so never fewer than asked).
  const step = [...nice].reverse().find((s) => s <= raw) ?? nice[0]!;
  const out: number[] = [];
  for (let t = Math.ceil(a / step) * step; t <= b; t += step) out.push(t);
  return out;
}

/** Whether row i has a value for key while both neighbours are gaps (a line would not show it). */
export function isIsolated(rows: Array<Record<string, unknown>>, i: number, key: string): boolean {
  const v = (j: number) => (j >= 0 && j < rows.length ? rows[j]![key] : null);
  return (
    v(i) !== null &&
    v(i) !== undefined &&
    (v(i - 1) === null || v(i - 1) === undefined) &&
    (v(i + 1) === null || v(i + 1) === undefined)
  );
}

/** Tick label for a time axis: HH:mm within a day, else MM-DD HH:mm. */
export function formatTimeTick(t: number, spanMs: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, "0");
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return spanMs > 86_400_000 ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
}
