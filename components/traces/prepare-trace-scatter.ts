import type { TraceSummary } from "@/lib/api-types";

/** Trace start as epoch ms: the API sends epoch ms (or an RFC 3339 string). */
export function toEpochMs(v: number | string): number {
  if (typeof v === "number") return v;
  if (/^\d+$/.test(v)) return Number(v);
  return Date.parse(v);
}

export interface ScatterPoint {
  t: number;
  durationMs: number;
  traceId: string;
  label: string;
}

/** Splits traces into ok / error point sets for the duration-over-time scatter. */
export function prepareTraceScatter(traces: TraceSummary[]): { ok: ScatterPoint[]; error: ScatterPoint[] } {
  const ok: ScatterPoint[] = [];
  const error: ScatterPoint[] = [];
  for (const t of traces) {
    const p = {
      t: toEpochMs(t.startTime),
      durationMs: t.durationMs,
      traceId: t.traceId,
      label: `${t.rootService ?? "(root not stored)"}: ${t.rootOperation ?? "?"}`,
    };
    if (!Number.isFinite(p.t)) continue;
    (t.errorCount > 0 ? error : ok).push(p);
  }
  return { ok, error };
}
