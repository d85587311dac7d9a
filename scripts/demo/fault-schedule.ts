// The deliberate operational incidents of the demo: time windows, measured from the fleet's
// start, during which a service misbehaves. Every process computes them from the same start
// time, so no coordination is needed. These are runtime incidents for RED charts and alerts,
// not design faults: the coupling detector must not report anything because of them.

export interface FaultWindow {
  /** first window opens this long after the fleet start */
  offsetMs: number;
  /** a window opens every periodMs after the first one */
  periodMs: number;
  /** how long each window stays open */
  durationMs: number;
}

/** payments: 30 % of charges fail (the card processor answers 503) for 30 s every 3 min. */
export const PAYMENTS_ERROR_BURST: FaultWindow & { failureRate: number } = {
  offsetMs: 120_000,
  periodMs: 180_000,
  durationMs: 30_000,
  failureRate: 0.3,
};

/** inventory: every request is 400 ms slower for 20 s every 2 min. */
export const INVENTORY_LATENCY_SPIKE: FaultWindow & { extraMs: number } = {
  offsetMs: 60_000,
  periodMs: 120_000,
  durationMs: 20_000,
  extraMs: 400,
};

export function isFaultWindowOpen(window: FaultWindow, fleetStartMs: number, nowMs: number): boolean {
  const elapsed = nowMs - fleetStartMs - window.offsetMs;
  if (elapsed < 0) return false;
  return elapsed % window.periodMs < window.durationMs;
}
