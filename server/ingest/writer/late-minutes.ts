import "server-only";
import type { Span } from "../../normalize";
import { CACHE_SETTLE_MINUTES } from "../../platform/late-rollups";

/**
 * The earliest minute of late spans (old enough for the query threads to have cached their
 * block) observed recently. A late span's rollups are written by the next flush, its edge once
 * its other half arrives or the pairing wait ends: the minute is announced after every flush
 * for `holdMs` (pairing wait plus a few flushes) so the last of those writes is announced too,
 * and then after `flushesAfter` more flushes: on a busy machine flushes run late, and a
 * wall-clock hold alone would end before the flush that writes the edge (a map cached empty
 * would then stay empty).
 */
export class LateMinutes {
  private seen: { minute: number; atMs: number; flushesAfter: number }[] = [];

  constructor(
    private readonly holdMs: number,
    private readonly flushesAfter = 3,
  ) {}

  observe(spans: readonly Span[], nowMs: number): void {
    if (spans.length === 0) return;
    let earliest = spans[0]!.startNs;
    for (const s of spans) if (s.startNs < earliest) earliest = s.startNs;
    const minute = Number(earliest / 60_000_000_000n);
    if (minute >= Math.floor(nowMs / 60_000) - CACHE_SETTLE_MINUTES) return;
    const last = this.seen[this.seen.length - 1];
    if (last && last.atMs === nowMs) last.minute = Math.min(last.minute, minute);
    else this.seen.push({ minute, atMs: nowMs, flushesAfter: 0 });
  }

  /** After each flush: the earliest late minute still to announce, or null. */
  toAnnounce(nowMs: number): number | null {
    for (const s of this.seen) if (s.atMs < nowMs - this.holdMs) s.flushesAfter++;
    this.seen = this.seen.filter((s) => s.flushesAfter <= this.flushesAfter);
    return this.seen.length === 0 ? null : Math.min(...this.seen.map((s) => s.minute));
  }
}
