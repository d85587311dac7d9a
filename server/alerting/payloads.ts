import "server-only";

/** One alert as it travels through the outbox to a notifier (Alertmanager's alert shape). */
export interface NotificationAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** `0001-01-01T00:00:00Z` while firing (webhook); the expiry for Alertmanager re-sends. */
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export const ZERO_TIME = "0001-01-01T00:00:00Z";

function common(alerts: NotificationAlert[], key: "labels" | "annotations"): Record<string, string> {
  if (alerts.length === 0) return {};
  const out: Record<string, string> = { ...alerts[0]![key] };
  for (const a of alerts.slice(1)) for (const k of Object.keys(out)) if (a[key][k] !== out[k]) delete out[k];
  return out;
}

/**
 * Alertmanager webhook payload, version "4". Cartograph groups by all labels (Alertmanager's
 * `group_by: ['...']`), so a group is one alert instance and groupKey names its label set.
 */
export function buildWebhookPayload(alerts: NotificationAlert[], receiver: string, externalURL: string) {
  const groupLabels = common(alerts, "labels");
  const groupKey =
    "{}:{" +
    Object.keys(groupLabels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
      .join(", ") +
    "}";
  return {
    version: "4",
    groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver,
    groupLabels,
    commonLabels: groupLabels,
    commonAnnotations: common(alerts, "annotations"),
    externalURL,
    alerts: alerts.map((a) => ({ ...a, endsAt: a.status === "firing" ? ZERO_TIME : a.endsAt })),
  };
}

/** Body for Alertmanager's `POST /api/v2/alerts` (postableAlerts). */
export function buildAlertmanagerAlerts(alerts: NotificationAlert[]) {
  return alerts.map((a) => ({
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    ...(a.endsAt !== ZERO_TIME ? { endsAt: a.endsAt } : {}),
    generatorURL: a.generatorURL,
  }));
}

/** Slack-compatible incoming-webhook message (also accepted by Mattermost and Rocket.Chat). */
export function buildSlackMessage(alerts: NotificationAlert[], opts: { channel?: string; username?: string }) {
  const firing = alerts.some((a) => a.status === "firing");
  const first = alerts[0];
  const name = first?.labels.alertname ?? "alert";
  const scope = first?.labels.service ?? first?.labels.edge ?? "";
  const title = `[${firing ? "FIRING" : "RESOLVED"}] ${name}${scope ? ` (${scope})` : ""}`;
  const lines = alerts.map((a) => {
    const links = [
      a.annotations.service_url && `<${a.annotations.service_url}|service>`,
      a.annotations.map_url && `<${a.annotations.map_url}|map>`,
      a.annotations.traces_url && `<${a.annotations.traces_url}|traces>`,
    ]
      .filter(Boolean)
      .join(" · ");
    return `${a.annotations.summary ?? name}${links ? `\n${links}` : ""}`;
  });
  return {
    ...(opts.channel ? { channel: opts.channel } : {}),
    ...(opts.username ? { username: opts.username } : {}),
    text: title,
    attachments: [
      {
        color: firing ? "danger" : "good",
        title,
        title_link: first?.generatorURL,
        text: lines.join("\n"),
        fallback: title,
      },
    ],
  };
}
