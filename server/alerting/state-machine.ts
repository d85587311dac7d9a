import "server-only";

/**
 * Per-instance alert state machine (Prometheus `rules/alerting.go` semantics, Grafana reasons).
 * Pure: the previous state, what this evaluation says about the instance, `now` and the
 * rule's timers in; the next state out. `null` means inactive (nothing stored).
 *
 * - new active series → pending (activeAt = now); firing once now − activeAt ≥ for (for = 0: at once)
 * - pending series that stops matching → inactive, silently (nothing was sent)
 * - firing series that stops matching → resolved, or with keepFiringFor > 0 stays firing until
 *   now − keepFiringSince ≥ keepFiringFor (the timer resets when the condition returns)
 * - a series missing from the query result counts as inactive only after MISSING_EVALS_TO_RESOLVE
 *   evaluations in a row (reason missing-series): one lost scrape does not resolve
 * - firing while now − activeAt < for (the rule's `for` was raised) → back to pending
 * - resolved instances stay visible RESOLVED_RETENTION_MS, then disappear
 */
export type AlertState = "pending" | "firing" | "resolved" | "nodata" | "error";

export interface AlertInstanceState {
  ruleId: string;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  value: number | null;
  reason: string;
  activeAt: number | null;
  firedAt: number | null;
  resolvedAt: number | null;
  keepFiringSince: number | null;
  lastEvalAt: number;
  missingEvals: number;
  /** Last notification enqueued for this instance: "firing", "resolved" or "" (none). */
  notifiedState: string;
  lastSentAt: number | null;
  notifiedChannels: string[];
}

export type InstanceInput =
  | { kind: "sample"; active: boolean; value: number | null; reason?: string }
  | { kind: "missing" }
  | { kind: "special"; state: "nodata" | "error"; reason: string };

export interface RuleTimers {
  forMs: number;
  keepFiringForMs: number;
}

export const MISSING_EVALS_TO_RESOLVE = 2;
export const RESOLVED_RETENTION_MS = 15 * 60 * 1000;

export function nextAlertState(
  prev: AlertInstanceState | null,
  input: InstanceInput,
  now: number,
  rule: RuleTimers,
  identity: { ruleId: string; fingerprint: string; labels: Record<string, string> },
): AlertInstanceState | null {
  const base: AlertInstanceState = prev ?? {
    ...identity,
    annotations: {},
    state: "pending",
    value: null,
    reason: "",
    activeAt: null,
    firedAt: null,
    resolvedAt: null,
    keepFiringSince: null,
    lastEvalAt: now,
    missingEvals: 0,
    notifiedState: "",
    lastSentAt: null,
    notifiedChannels: [],
  };

  if (input.kind === "special") {
    return { ...base, state: input.state, reason: input.reason, value: null, lastEvalAt: now, missingEvals: 0 };
  }

  if (input.kind === "missing") {
    if (!prev) return null;
    if (prev.state === "nodata" || prev.state === "error") return null;
    const missingEvals = prev.missingEvals + 1;
    if (missingEvals < MISSING_EVALS_TO_RESOLVE && prev.state !== "resolved") {
      return { ...prev, missingEvals, lastEvalAt: now };
    }
    return becomeInactive({ ...prev, missingEvals }, now, rule, "missing-series");
  }

  if (input.active) {
    const wasActive = prev && (prev.state === "pending" || prev.state === "firing");
    const activeAt = wasActive && prev.activeAt !== null ? prev.activeAt : now;
    const firing = now - activeAt >= rule.forMs;
    return {
      ...base,
      state: firing ? "firing" : "pending",
      value: input.value,
      reason: input.reason ?? "",
      activeAt,
      firedAt: firing ? (prev?.state === "firing" && prev.firedAt !== null ? prev.firedAt : now) : null,
      resolvedAt: null,
      keepFiringSince: null,
      lastEvalAt: now,
      missingEvals: 0,
    };
  }

  if (!prev) return null;
  return becomeInactive({ ...prev, value: input.value, missingEvals: 0 }, now, rule, input.reason ?? "");
}

function becomeInactive(
  prev: AlertInstanceState,
  now: number,
  rule: RuleTimers,
  reason: string,
): AlertInstanceState | null {
  switch (prev.state) {
    case "pending":
    case "nodata":
    case "error":
      return null;
    case "resolved":
      return now - (prev.resolvedAt ?? now) >= RESOLVED_RETENTION_MS ? null : { ...prev, lastEvalAt: now };
    case "firing": {
      if (rule.keepFiringForMs > 0) {
        const since = prev.keepFiringSince ?? now;
        if (now - since < rule.keepFiringForMs) {
          return { ...prev, keepFiringSince: since, reason: "keep-firing", lastEvalAt: now };
        }
      }
      return { ...prev, state: "resolved", resolvedAt: now, keepFiringSince: null, reason, lastEvalAt: now };
    }
  }
}

/** What the notifier must send for this instance now: firing, resolved or nothing. */
export function decideNotification(
  inst: AlertInstanceState | null,
  prevNotified: string,
  silenced: boolean,
): "firing" | "resolved" | null {
  const state = inst?.state;
  if (state === "firing" && prevNotified !== "firing" && !silenced) return "firing";
  // A resolve follows every sent firing (also when the instance disappeared or is silenced now),
  // and is never sent without a firing before it.
  if (state !== "firing" && prevNotified === "firing") return "resolved";
  return null;
}
