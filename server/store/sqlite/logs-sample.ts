import "server-only";
import { SLOTS_PER_MS } from "./logs-ids";

/**
 * A fixed pseudo-random share of log lines, chosen by row id, for histograms whose exact
 * count would read too many rows (a text search with attribute or trace filters reads every
 * matching row). A line is kept when a hash of its id falls below `keep` of SAMPLE_SCALE; the
 * hash mixes the id's millisecond and its slot in it (logs-ids.ts), so lines stored with
 * millisecond or second precision (slot 0) are sampled as evenly as finer ones, and the
 * choice never depends on the line's content. Counts of kept lines are scaled by
 * SAMPLE_SCALE / keep.
 */
export const SAMPLE_SCALE = 4096;

/** SQL condition keeping a line whose id is `idExpr` with probability keep / SAMPLE_SCALE. */
export function sampleCondition(idExpr: string, keep: number): string {
  // h: a multiplicative hash of the millisecond plus the slot, below 2^31; then the middle
  // bits of h² (a linear hash alone aliases with regularly spaced lines).
  const h = `((${idExpr} / ${SLOTS_PER_MS}) % 1000003 * 1103515245 + (${idExpr} % ${SLOTS_PER_MS}) * 69069) % 2147483648`;
  return `(${h}) * (${h}) / 1048576 % ${SAMPLE_SCALE} < ${Math.trunc(keep)}`;
}

/** How many of SAMPLE_SCALE lines to keep so that about `budget` of `matches` are read; null: read them all. */
export function sampleKeep(matches: number, budget: number): number | null {
  if (!(matches > budget)) return null;
  return Math.max(1, Math.ceil((budget / matches) * SAMPLE_SCALE));
}
