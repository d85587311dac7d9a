/**
 * The global time range, as it lives in the URL (`?from=&to=`): either relative
 * (`from=now-1h&to=now`, re-resolved on every refresh) or absolute epoch milliseconds
 * (a custom range, fixed). Pure functions; `nowMs` is passed in.
 */

export interface TimeRangeParams {
  from: string;
  to: string;
}

/**
 * A half-open time window [fromMs, toMs) in epoch milliseconds: the one name of this idea, for
 * the UI's resolved range, the API's resolved `from`/`to` (lib/contract re-exports it) and
 * every server read.
 */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export const TIME_PRESETS = [
  { label: "15m", from: "now-15m" },
  { label: "1h", from: "now-1h" },
  { label: "6h", from: "now-6h" },
  { label: "24h", from: "now-24h" },
  { label: "7d", from: "now-7d" },
] as const;

export const DEFAULT_RANGE: TimeRangeParams = { from: "now-15m", to: "now" };

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;

/** Parses one bound: `now`, `now-<n><s|m|h|d|w>`, epoch ms, or RFC 3339. Null when invalid. */
export function parseBound(raw: string, nowMs: number): number | null {
  const rel = RELATIVE.exec(raw);
  if (rel) return rel[1] ? nowMs - Number(rel[1]) * UNIT_MS[rel[2]!]! : nowMs;
  if (/^\d{10,}$/.test(raw)) return Number(raw);
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/** Reads the range from URL params, falling back to the default (last 15 minutes) when invalid. */
export function readRangeParams(get: (key: string) => string | null): TimeRangeParams {
  const from = get("from");
  const to = get("to");
  const candidate = { from: from || DEFAULT_RANGE.from, to: to || DEFAULT_RANGE.to };
  const probe = resolveRange(candidate, Date.now());
  return probe ? candidate : DEFAULT_RANGE;
}

/** Absolute bounds, or null when a bound is unparsable or from >= to. */
export function resolveRange(range: TimeRangeParams, nowMs: number): TimeWindow | null {
  const fromMs = parseBound(range.from, nowMs);
  const toMs = parseBound(range.to, nowMs);
  if (fromMs === null || toMs === null || fromMs >= toMs) return null;
  return { fromMs, toMs };
}

/** Relative ranges move with the clock, so they are the ones auto-refresh applies to. */
export function isRelativeRange(range: TimeRangeParams): boolean {
  return RELATIVE.test(range.from) && RELATIVE.test(range.to);
}

/** Label for the picker button: the preset name, or the absolute bounds. */
export function describeRange(range: TimeRangeParams, nowMs: number): string {
  const preset = TIME_PRESETS.find((p) => p.from === range.from && range.to === "now");
  if (preset) return `Last ${preset.label}`;
  const r = resolveRange(range, nowMs);
  if (!r) return "Last 15m";
  return `${formatDateTime(r.fromMs)} → ${formatDateTime(r.toMs)}`;
}

/** A step (seconds) giving about `targetPoints` points over the range, rounded to a friendly value. */
export function chooseStepSeconds(range: TimeWindow, targetPoints = 60): number {
  const raw = (range.toMs - range.fromMs) / 1000 / targetPoints;
  const steps = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return steps.find((s) => s >= raw) ?? 86400;
}

/** `YYYY-MM-DD HH:mm` in local time. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Value for an `<input type="datetime-local">` (local time, minutes). */
export function toDateTimeLocal(ms: number): string {
  return formatDateTime(ms).replace(" ", "T");
}
