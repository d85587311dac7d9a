import "server-only";

/**
 * Pure aggregation helpers for OTLP metric points. Histogram quantiles interpolate linearly
 * inside the bucket that holds the rank (as Prometheus' histogram_quantile does).
 */
export function quantileFromBuckets(bounds: number[], counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      const lower = i === 0 ? Math.min(0, bounds[0] ?? 0) : bounds[i - 1]!;
      const upper = i < bounds.length ? bounds[i]! : (bounds[bounds.length - 1] ?? lower);
      if (i >= bounds.length) return upper; // +Inf bucket: the highest finite bound
      return lower + (upper - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return bounds[bounds.length - 1] ?? null;
}

/** Exponential histogram (positive buckets) → quantile; bucket i covers (base^(offset+i), base^(offset+i+1)]. */
export function quantileFromExponential(
  scale: number,
  zeroCount: number,
  offset: number,
  counts: number[],
  q: number,
): number | null {
  const total = zeroCount + counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const rank = q * total;
  if (rank <= zeroCount) return 0;
  const base = 2 ** (2 ** -scale);
  let seen = zeroCount;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      const lower = base ** (offset + i);
      const upper = base ** (offset + i + 1);
      return (lower + upper) / 2;
    }
    seen += c;
  }
  return base ** (offset + counts.length);
}

/** Adds `b` into `a` (same length assumed; extends when longer). */
export function addCounts(a: number[], b: number[]): number[] {
  const out = a.slice();
  for (let i = 0; i < b.length; i++) out[i] = (out[i] ?? 0) + b[i]!;
  return out;
}

/** Difference of cumulative counts; a reset (any count going down) yields the new counts. */
export function diffCounts(curr: number[], prev: number[] | null): number[] {
  if (!prev || prev.length !== curr.length) return curr.slice();
  const out = curr.map((c, i) => c - prev[i]!);
  return out.some((d) => d < 0) ? curr.slice() : out;
}

/** Per-second rate between cumulative samples, reset-aware. */
export function rateBetween(prev: { v: number; tMs: number }, curr: { v: number; tMs: number }): number | null {
  const dt = (curr.tMs - prev.tMs) / 1000;
  if (dt <= 0) return null;
  const dv = curr.v >= prev.v ? curr.v - prev.v : curr.v;
  return dv / dt;
}
