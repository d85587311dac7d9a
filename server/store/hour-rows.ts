import "server-only";
import type { EdgeMinuteRow, RedMinute } from "./telemetry-store";
import { addEncodedSketches } from "./sketch";

/**
 * Hour rows from minute rows, for a store without hour rollups of its own (SQLite): counts
 * summed, sketches merged (exact, DDSketch merges, added in their encoded form), one row per
 * key and hour.
 */
const hourOf = (minute: number) => Math.floor(minute / 60);

export function mergeEdgeRowsByHour(rows: readonly EdgeMinuteRow[]): EdgeMinuteRow[] {
  const out = new Map<string, EdgeMinuteRow>();
  for (const r of rows) {
    const key = `${hourOf(r.minute)}\u0000${r.source}\u0000${r.target}\u0000${r.protocol}`;
    const e = out.get(key);
    if (!e) {
      out.set(key, { ...r, lastMinute: r.lastMinute ?? r.minute });
      continue;
    }
    e.calls += r.calls;
    e.errors += r.errors;
    e.connects += r.connects;
    e.minute = Math.min(e.minute, r.minute);
    e.lastMinute = Math.max(e.lastMinute!, r.lastMinute ?? r.minute);
    e.clientSketch = addEncodedSketches(e.clientSketch, r.clientSketch);
    e.serverSketch = addEncodedSketches(e.serverSketch, r.serverSketch);
  }
  return [...out.values()];
}

export function mergeRedRowsByHour(rows: readonly RedMinute[]): RedMinute[] {
  const out = new Map<string, RedMinute>();
  for (const r of rows) {
    const hour = hourOf(r.minute);
    const key = `${hour}\u0000${r.service}\u0000${r.environment}\u0000${r.operation}\u0000${r.kind}`;
    const e = out.get(key);
    if (!e) {
      out.set(key, { ...r, minute: hour * 60 });
      continue;
    }
    e.count += r.count;
    e.errors += r.errors;
    e.sketch = addEncodedSketches(e.sketch, r.sketch);
  }
  return [...out.values()];
}
