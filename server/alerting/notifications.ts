import "server-only";
import type { Channel } from "./channels";
import type { OutboxEntry } from "./control-store";
import { ZERO_TIME, type NotificationAlert } from "./payloads";
import type { AlertInstanceState } from "./state-machine";

/** Builds outbox rows for one instance's notification. Pure. */
export function buildAlert(
  inst: AlertInstanceState,
  status: "firing" | "resolved",
  now: number,
  externalURL: string,
  expiryMs: number,
): NotificationAlert {
  const base = externalURL.replace(/\/+$/, "");
  return {
    status,
    labels: inst.labels,
    annotations: inst.annotations,
    startsAt: new Date(inst.activeAt ?? inst.firedAt ?? now).toISOString(),
    endsAt:
      status === "resolved"
        ? new Date(inst.resolvedAt ?? now).toISOString()
        : expiryMs > 0
          ? new Date(now + expiryMs).toISOString()
          : ZERO_TIME,
    generatorURL: `${base}/alerts?rule=${encodeURIComponent(inst.ruleId)}`,
    fingerprint: inst.fingerprint,
  };
}

export function outboxRows(
  channels: Channel[],
  alert: NotificationAlert,
  inst: { ruleId: string; fingerprint: string },
  now: number,
): OutboxEntry[] {
  return channels.map((ch) => ({
    channelId: ch.id,
    ruleId: inst.ruleId,
    fingerprint: inst.fingerprint,
    status: alert.status,
    payload: JSON.stringify(alert),
    nextAttempt: now,
  }));
}

/** Channels a firing goes to: the rule's, existing and enabled. */
export function firingChannels(channelIds: string[], channels: Map<string, Channel>): Channel[] {
  return channelIds.map((id) => channels.get(id)).filter((c): c is Channel => !!c && c.enabled);
}

/** Channels a resolve goes to: those that got the firing and want resolves. */
export function resolveChannels(notified: string[], channels: Map<string, Channel>): Channel[] {
  return notified
    .map((id) => channels.get(id))
    .filter((c): c is Channel => !!c && c.enabled && c.settings.sendResolved !== false);
}
