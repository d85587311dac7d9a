import "server-only";
import { decodeZipkinSpans, DecodeError } from "../../decode";
import {
  normalizeZipkin,
  type AttributeLimits,
  type AttributeStats,
  type NormalizeResult,
  type Span,
} from "../../normalize";
import type { ExportMessage } from "./protocol";

export interface ZipkinBodyDeps {
  limits: AttributeLimits;
  /** The writer's attribute counters (added to once per body). */
  stats: AttributeStats;
  /** Stored spans of these traces (for shared server halves sent without times). */
  readTraces(traceIds: string[]): Promise<Span[]>;
}

/**
 * Zipkin v2 body → domain spans; like Zipkin, one malformed span refuses the whole body (400).
 * A shared server half sent without times takes its client's times from the store: the
 * first pass notes which spans it asked for, and only then are their traces read (rare).
 */
export async function normalizeZipkinBody(
  body: Buffer,
  encoding: ExportMessage["encoding"],
  deps: ZipkinBodyDeps,
): Promise<NormalizeResult<Span>> {
  const spans = decodeZipkinSpans(body, encoding);
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const asked = new Set<string>();
  const first = { truncatedValues: 0, droppedAttributes: 0 };
  let norm = normalizeZipkin(spans, {
    limits: deps.limits,
    stats: first,
    nowNs,
    findStoredTimes: (traceId) => (asked.add(traceId), null),
  });
  if (asked.size > 0) {
    const stored = new Map((await deps.readTraces([...asked])).map((s) => [`${s.traceId}:${s.spanId}`, s]));
    const findStoredTimes = (traceId: string, spanId: string) => stored.get(`${traceId}:${spanId}`) ?? null;
    norm = normalizeZipkin(spans, { limits: deps.limits, stats: deps.stats, nowNs, findStoredTimes });
  } else {
    deps.stats.truncatedValues += first.truncatedValues;
    deps.stats.droppedAttributes += first.droppedAttributes;
  }
  if (norm.rejected > 0) throw new DecodeError(norm.reasons.join("; "));
  return norm;
}
