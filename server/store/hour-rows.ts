import "server-only";
import type { EdgeMinuteRow, RedMinute } from "./telemetry-store";
import { createSketch, encodeSketch, mergeEncodedInto, type Sketch } from "./sketch";

/**
 * Hour rows from minute rows, for a store without hour rollups of its own (SQLite): counts
 * summed, sketches merged (exact, DDSketch merges), one row per key and hour.
 */
const hourOf = (minute: number) => Math.floor(minute / 60);

export function mergeEdgeRowsByHour(rows: readonly EdgeMinuteRow[]): EdgeMinuteRow[] {
  const out = new Map<string, { row: EdgeMinuteRow; client: Sketch; server: Sketch }>();
  for (const r of rows) {
    const key = `${hourOf(r.minute)}\u0000${r.source}\u0000${r.target}\u0000${r.protocol}`;
    let e = out.get(key);
    if (!e) {
      e = {
        row: { ...r, calls: 0, errors: 0, connects: 0, lastMinute: r.lastMinute ?? r.minute },
        client: createSketch(),
        server: createSketch(),
      };
      out.set(key, e);
    }
    e.row.calls += r.calls;
    e.row.errors += r.errors;
    e.row.connects += r.connects;
    e.row.minute = Math.min(e.row.minute, r.minute);
    e.row.lastMinute = Math.max(e.row.lastMinute!, r.lastMinute ?? r.minute);
    mergeEncodedInto(e.client, r.clientSketch);
    mergeEncodedInto(e.server, r.serverSketch);
  }
  return [...out.values()].map((e) => ({
    ...e.row,
    clientSketch: encodeSketch(e.client),
    serverSketch: encodeSketch(e.server),
  }));
}

export function mergeRedRowsByHour(rows: readonly RedMinute[]): RedMinute[] {
  const out = new Map<string, { row: RedMinute; sketch: Sketch }>();
  for (const r of rows) {
    const hour = hourOf(r.minute);
    const key = `${hour}\u0000${r.service}\u0000${r.environment}\u0000${r.operation}\u0000${r.kind}`;
    let e = out.get(key);
    if (!e) out.set(key, (e = { row: { ...r, minute: hour * 60, count: 0, errors: 0 }, sketch: createSketch() }));
    e.row.count += r.count;
    e.row.errors += r.errors;
    mergeEncodedInto(e.sketch, r.sketch);
  }
  return [...out.values()].map((e) => ({ ...e.row, sketch: encodeSketch(e.sketch) }));
}
