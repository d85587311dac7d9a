import "server-only";
import type { Channel } from "./channels";
import type { HistoryEntry, OutboxEntry, TickChanges } from "./control-store";
import type { QueryResult } from "./data-source";
import { evaluateRule, type Evaluation } from "./evaluate-rule";
import { buildAlert, firingChannels, outboxRows, resolveChannels } from "./notifications";
import { queryKey } from "./rule-queries";
import type { AlertRule } from "./rule-schema";
import { findSilencing, type ActiveSilence } from "./silences";
import { decideNotification, nextAlertState, type AlertInstanceState, type InstanceInput } from "./state-machine";
import { buildLinks, DEFAULT_ANNOTATIONS, expandTemplate, fingerprintLabels } from "./templates";

/**
 * The CPU of one evaluation tick, as a pure function of plain data: evaluate every rule on
 * its query result, step every instance through the state machine, expand annotations and
 * build the notifications. It runs in the alert evaluation thread (tick-thread.ts), so a
 * tick over thousands of rules and instances never holds the thread that answers ingest and
 * the API. Input and output are structured-clone safe (no classes, no functions).
 */
export interface TickInput {
  now: number;
  externalURL: string;
  intervalMs: number;
  resendMs: number;
  /** Enabled rules, in evaluation order. */
  rules: AlertRule[];
  /** Ids of every stored rule (a disabled one ends its instances as "paused", a missing one as "rule-deleted"). */
  storedRuleIds: string[];
  channels: Channel[];
  silences: ActiveSilence[];
  /** Query results by queryKey(rule). */
  results: [string, QueryResult][];
  /** The instances in memory before this tick. */
  instances: AlertInstanceState[];
}

export interface RuleHealth {
  health: "ok" | "no-data" | "error";
  reason: string;
  lastEvalAt: number;
}

export interface TickPlan {
  changes: TickChanges;
  /** Instance key → its state after the tick; null: the instance ends. Applied only after `changes` committed. */
  next: [string, AlertInstanceState | null][];
  health: [string, RuleHealth][];
  /** Rules whose health is dropped (disabled or deleted). */
  healthGone: string[];
  summary: { rules: number; transitions: number; notifications: number };
}

/** The key of an instance in memory and in the control plane's AlertInstance.id. */
export const instanceKey = (ruleId: string, fingerprint: string) => `${ruleId}:${fingerprint}`;

export function planTick(input: TickInput): TickPlan {
  const { now, externalURL, rules, silences } = input;
  const resendMs = input.resendMs;
  const expiryMs = 4 * Math.max(input.intervalMs, resendMs);
  const channels = new Map(input.channels.map((c) => [c.id, c]));
  const results = new Map(input.results);
  const instances = new Map(input.instances.map((i) => [instanceKey(i.ruleId, i.fingerprint), i]));
  const ruleIds = new Set(input.storedRuleIds);

  const byRule = new Map<string, AlertInstanceState[]>();
  for (const inst of instances.values()) {
    const list = byRule.get(inst.ruleId) ?? [];
    list.push(inst);
    byRule.set(inst.ruleId, list);
  }
  const history: HistoryEntry[] = [];
  const outbox: OutboxEntry[] = [];
  const nextMap = new Map<string, AlertInstanceState | null>();
  const toPersist: AlertInstanceState[] = [];
  const toDelete: { ruleId: string; fingerprint: string }[] = [];
  const health: [string, RuleHealth][] = [];
  const healthGone: string[] = [];

  const step = (
    rule: Pick<AlertRule, "id" | "name"> & Partial<AlertRule>,
    fp: string,
    labels: Record<string, string>,
    input: InstanceInput | "gone",
    prev: AlertInstanceState | null,
    goneReason = "",
  ) => {
    const timers = { forMs: (rule.for ?? 0) * 1000, keepFiringForMs: (rule.keepFiringFor ?? 0) * 1000 };
    let next =
      input === "gone" ? null : nextAlertState(prev, input, now, timers, { ruleId: rule.id, fingerprint: fp, labels });
    if (next && (next.state === "pending" || next.state === "firing") && input !== "gone" && input.kind === "sample") {
      next = { ...next, annotations: annotate(rule as AlertRule, next, now, externalURL) };
    }
    const from = prev?.state ?? "inactive";
    const to = next?.state ?? "inactive";
    if (from !== to) {
      const reason =
        next?.reason || goneReason || (input !== "gone" && input.kind === "missing" ? "missing-series" : "");
      history.push({
        ruleId: rule.id,
        ruleName: rule.name,
        fingerprint: fp,
        labels,
        fromState: from,
        toState: to,
        value: next?.value ?? prev?.value ?? null,
        reason,
        at: now,
      });
    }
    const silenced = findSilencing(labels, silences, now).length > 0;
    const decision = decideNotification(next, prev?.notifiedState ?? "", silenced);
    if (decision === "firing" && next) {
      const chs = firingChannels(rule.channelIds ?? [], channels);
      outbox.push(...outboxRows(chs, buildAlert(next, "firing", now, externalURL, expiryMs), next, now));
      next = { ...next, notifiedState: "firing", notifiedChannels: chs.map((c) => c.id), lastSentAt: now };
    } else if (decision === "resolved" && prev) {
      const src = next ?? { ...prev, resolvedAt: now };
      outbox.push(
        ...outboxRows(
          resolveChannels(prev.notifiedChannels, channels),
          buildAlert({ ...src, annotations: prev.annotations }, "resolved", now, externalURL, 0),
          src,
          now,
        ),
      );
      if (next) next = { ...next, notifiedState: "resolved", notifiedChannels: [], lastSentAt: now };
    } else if (
      next?.state === "firing" &&
      next.notifiedState === "firing" &&
      now - (next.lastSentAt ?? 0) >= resendMs
    ) {
      const am = next.notifiedChannels
        .map((id) => channels.get(id))
        .filter((c): c is Channel => c?.type === "alertmanager" && c.enabled);
      outbox.push(...outboxRows(am, buildAlert(next, "firing", now, externalURL, expiryMs), next, now));
      next = { ...next, lastSentAt: now };
    }
    nextMap.set(instanceKey(rule.id, fp), next);
    if (!next) {
      if (prev) toDelete.push({ ruleId: rule.id, fingerprint: fp });
    } else if (!prev || persistedChanged(prev, next)) {
      toPersist.push(next);
    }
  };

  for (const rule of rules) {
    const ev = evaluateRule(rule, results.get(queryKey(rule))!, now);
    health.push([rule.id, { health: ev.status, reason: ev.status === "ok" ? "" : ev.reason, lastEvalAt: now }]);
    const prevs = byRule.get(rule.id) ?? [];
    for (const [fp, { labels, input }] of planInputs(rule, ev, prevs)) {
      const prev = instances.get(instanceKey(rule.id, fp)) ?? null;
      if (!prev && input.kind === "sample" && !input.active) continue; // nothing to do: the common case
      step(rule, fp, labels, input, prev);
    }
  }
  // Instances of disabled or deleted rules end now (a sent firing still gets its resolve).
  const enabledIds = new Set(rules.map((r) => r.id));
  for (const [ruleId, prevs] of byRule) {
    if (enabledIds.has(ruleId)) continue;
    const reason = ruleIds.has(ruleId) ? "paused" : "rule-deleted";
    for (const p of prevs)
      step({ id: ruleId, name: p.labels.alertname ?? ruleId }, p.fingerprint, p.labels, "gone", p, reason);
    healthGone.push(ruleId);
  }
  return {
    changes: { upserts: toPersist, deletes: toDelete, history, outbox },
    next: [...nextMap],
    health,
    healthGone,
    summary: { rules: rules.length, transitions: history.length, notifications: outbox.length },
  };
}

function annotate(rule: AlertRule, inst: AlertInstanceState, now: number, externalURL: string): Record<string, string> {
  const links = buildLinks(externalURL, inst.labels, { fromMs: now - rule.windowSeconds * 1000, toMs: now });
  const templates: Record<string, string> = { ...DEFAULT_ANNOTATIONS, ...rule.annotations };
  if (!links.service) delete templates.service_url;
  if (!("threshold" in rule)) templates.summary = rule.annotations.summary ?? "{{ $rule }}: value {{ $value }}";
  const data = {
    labels: inst.labels,
    value: inst.value,
    threshold: "threshold" in rule ? rule.threshold : undefined,
    rule: rule.name,
    externalURL,
    links,
  };
  return Object.fromEntries(Object.entries(templates).map(([k, t]) => [k, expandTemplate(t, data)]));
}

function persistedChanged(a: AlertInstanceState, b: AlertInstanceState): boolean {
  return (
    a.state !== b.state ||
    a.activeAt !== b.activeAt ||
    a.firedAt !== b.firedAt ||
    a.resolvedAt !== b.resolvedAt ||
    a.keepFiringSince !== b.keepFiringSince ||
    a.missingEvals !== b.missingEvals ||
    a.notifiedState !== b.notifiedState ||
    a.lastSentAt !== b.lastSentAt ||
    a.reason !== b.reason
  );
}

function orderedKey(labels: Record<string, string>): string {
  let k = "";
  for (const name in labels) k += name + "\u0000" + labels[name] + "\u0001";
  return k;
}

/** Maps an evaluation onto per-instance inputs, applying the rule's no-data / error policy. */
export function planInputs(
  rule: AlertRule,
  ev: Evaluation,
  prevs: AlertInstanceState[],
): Map<string, { labels: Record<string, string>; input: InstanceInput }> {
  const out = new Map<string, { labels: Record<string, string>; input: InstanceInput }>();
  if (ev.status === "ok") {
    // Inactive series only matter for an instance that exists. They are matched to it by an
    // unsorted, unhashed key (label order is stable per rule); only active series are hashed.
    const prevByKey = prevs.length ? new Map(prevs.map((p) => [orderedKey(p.labels), p])) : null;
    for (const s of ev.samples) {
      if (s.active) {
        out.set(fingerprintLabels(s.labels), {
          labels: s.labels,
          input: { kind: "sample", active: true, value: s.value },
        });
      } else if (prevByKey) {
        const p = prevByKey.get(orderedKey(s.labels));
        if (p) out.set(p.fingerprint, { labels: p.labels, input: { kind: "sample", active: false, value: s.value } });
      }
    }
    for (const p of prevs)
      if (!out.has(p.fingerprint)) out.set(p.fingerprint, { labels: p.labels, input: { kind: "missing" } });
    return out;
  }
  const policy = ev.status === "no-data" ? rule.onNoData : rule.onError;
  if (policy === "keep-last") return out;
  const ruleLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.labels)) ruleLabels[k] = expandTemplate(v, { labels: {} });
  ruleLabels.alertname = rule.name;
  if (policy === "alerting") {
    out.set(fingerprintLabels(ruleLabels), {
      labels: ruleLabels,
      input: { kind: "sample", active: true, value: null, reason: ev.reason },
    });
  } else if (policy === "no-data" || policy === "error") {
    const labels = { ...ruleLabels, alertstate: ev.status === "no-data" ? "NoData" : "Error" };
    out.set(fingerprintLabels(labels), {
      labels,
      input: { kind: "special", state: ev.status === "no-data" ? "nodata" : "error", reason: ev.reason },
    });
  }
  for (const p of prevs) {
    if (out.has(p.fingerprint)) continue;
    const input: InstanceInput =
      policy === "ok" ? { kind: "sample", active: false, value: p.value, reason: ev.reason } : { kind: "missing" };
    out.set(p.fingerprint, { labels: p.labels, input });
  }
  return out;
}
