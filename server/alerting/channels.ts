import "server-only";
import { channelInputSchema, type ChannelInput } from "../../lib/contract";
import { buildAlertmanagerAlerts, buildSlackMessage, buildWebhookPayload, type NotificationAlert } from "./payloads";
import { postJson, type SafeFetchOptions } from "./safe-fetch";

/** Notification channel definitions and the notifier registry (webhook / alertmanager / slack). */
export { channelInputSchema, type ChannelInput };
export type Channel = ChannelInput & { id: string };

export interface DeliveryResult {
  ok: boolean;
  /** false: do not retry (4xx other than 408/429, refused target). */
  retryable: boolean;
  status?: number;
  error?: string;
}

export interface NotifyContext {
  externalURL: string;
  fetch: SafeFetchOptions;
}

type Notifier = (channel: Channel, alerts: NotificationAlert[], ctx: NotifyContext) => { url: string; body: unknown };

const NOTIFIERS: Record<Channel["type"], Notifier> = {
  webhook: (ch, alerts, ctx) => ({ url: ch.settings.url, body: buildWebhookPayload(alerts, ch.name, ctx.externalURL) }),
  alertmanager: (ch, alerts) => ({
    url: ch.settings.url.replace(/\/+$/, "") + "/api/v2/alerts",
    body: buildAlertmanagerAlerts(alerts),
  }),
  slack: (ch, alerts) => ({
    url: ch.settings.url,
    body: buildSlackMessage(alerts, {
      channel: (ch.settings as { channel?: string }).channel,
      username: (ch.settings as { username?: string }).username,
    }),
  }),
};

export async function deliver(
  channel: Channel,
  alerts: NotificationAlert[],
  ctx: NotifyContext,
): Promise<DeliveryResult> {
  const { url, body } = NOTIFIERS[channel.type](channel, alerts, ctx);
  const hdrs = "headers" in channel.settings ? channel.settings.headers : {};
  try {
    const res = await postJson(url, body, hdrs, ctx.fetch);
    if (res.status >= 200 && res.status < 300) return { ok: true, retryable: false, status: res.status };
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    return { ok: false, retryable, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    const refused = (e as { refused?: boolean }).refused === true;
    return { ok: false, retryable: !refused, error: (e as Error).message };
  }
}

/** Settings as the API shows them: header values are write-only. */
export function maskChannel(ch: Channel): Channel {
  if (!("headers" in ch.settings)) return ch;
  const masked = Object.fromEntries(Object.keys(ch.settings.headers).map((k) => [k, "********"]));
  return { ...ch, settings: { ...ch.settings, headers: masked } } as Channel;
}
