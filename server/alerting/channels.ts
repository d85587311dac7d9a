import "server-only";
import { z } from "zod";
import { buildAlertmanagerAlerts, buildSlackMessage, buildWebhookPayload, type NotificationAlert } from "./payloads";
import { postJson, type SafeFetchOptions } from "./safe-fetch";

/** Notification channel definitions and the notifier registry (webhook / alertmanager / slack). */
const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });
const headers = z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string().max(4096)).default({});

export const channelInputSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("webhook"), name: z.string().min(1).max(200), enabled: z.boolean().default(true), settings: z.object({ url: httpUrl, headers, sendResolved: z.boolean().default(true) }) }),
  z.object({ type: z.literal("alertmanager"), name: z.string().min(1).max(200), enabled: z.boolean().default(true), settings: z.object({ url: httpUrl, headers, sendResolved: z.boolean().default(true) }) }),
  z.object({
    type: z.literal("slack"),
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    settings: z.object({ url: httpUrl, channel: z.string().max(200).optional(), username: z.string().max(200).optional(), sendResolved: z.boolean().default(true) }),
  }),
]);
export type ChannelInput = z.infer<typeof channelInputSchema>;
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
  alertmanager: (ch, alerts) => ({ url: ch.settings.url.replace(/\/+$/, "") + "/api/v2/alerts", body: buildAlertmanagerAlerts(alerts) }),
  slack: (ch, alerts) => ({
    url: ch.settings.url,
    body: buildSlackMessage(alerts, { channel: (ch.settings as { channel?: string }).channel, username: (ch.settings as { username?: string }).username }),
  }),
};

export async function deliver(channel: Channel, alerts: NotificationAlert[], ctx: NotifyContext): Promise<DeliveryResult> {
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
