import "server-only";
import type { Logger } from "../platform/logger";
import type { ControlDb } from "../store";
import { deliver, type NotifyContext } from "./channels";
import { toChannel } from "./control-store";
import type { NotificationAlert } from "./payloads";

/**
 * Delivers outbox rows. At-least-once: a row is marked delivered only after a 2xx. Per
 * (channel, alert instance) rows go strictly in order, so a resolve never overtakes its
 * firing. Retryable failures (5xx, 408, 429, network) back off exponentially from
 * RETRY_BASE_MS up to RETRY_MAX_MS until MAX_ATTEMPTS; other 4xx and refused targets are
 * permanent and recorded in lastError.
 */
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 12;

export function backoffMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export interface DispatchResult {
  delivered: number;
  retried: number;
  failed: number;
}

export async function dispatchDue(
  db: ControlDb,
  now: number,
  ctx: NotifyContext,
  log: Logger,
  concurrency = 8,
): Promise<DispatchResult> {
  const pending = await db.notificationOutbox.findMany({
    where: { state: "pending" },
    orderBy: { id: "asc" },
    take: 1000,
  });
  const seen = new Set<string>();
  const due: typeof pending = [];
  for (const row of pending) {
    const key = `${row.channelId}|${row.ruleId}|${row.fingerprint}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (row.nextAttempt.getTime() <= now) due.push(row);
  }
  const result: DispatchResult = { delivered: 0, retried: 0, failed: 0 };
  if (due.length === 0) return result;
  const channelRows = await db.notificationChannel.findMany({
    where: { id: { in: [...new Set(due.map((r) => r.channelId))] } },
  });
  const channels = new Map(channelRows.map((r) => [r.id, toChannel(r)]));

  const work = async (row: (typeof due)[number]) => {
    const ch = channels.get(row.channelId);
    if (!ch) {
      await db.notificationOutbox.update({
        where: { id: row.id },
        data: { state: "failed", lastError: "channel deleted" },
      });
      result.failed++;
      return;
    }
    const alert = JSON.parse(row.payload) as NotificationAlert;
    const r = await deliver(ch, [alert], ctx);
    const attempts = row.attempts + 1;
    if (r.ok) {
      await db.notificationOutbox.update({
        where: { id: row.id },
        data: { state: "delivered", attempts, deliveredAt: new Date(now), lastError: "" },
      });
      result.delivered++;
    } else if (r.retryable && attempts < MAX_ATTEMPTS) {
      await db.notificationOutbox.update({
        where: { id: row.id },
        data: { attempts, nextAttempt: new Date(now + backoffMs(attempts)), lastError: r.error ?? "" },
      });
      result.retried++;
    } else {
      await db.notificationOutbox.update({
        where: { id: row.id },
        data: { state: "failed", attempts, lastError: r.error ?? "" },
      });
      log.warn("notification failed permanently", {
        channel: ch.name,
        type: ch.type,
        status: r.status,
        error: r.error,
      });
      result.failed++;
    }
  };
  for (let i = 0; i < due.length; i += concurrency) await Promise.all(due.slice(i, i + concurrency).map(work));
  return result;
}

/** Drops delivered and failed outbox rows after `maxAgeMs` (the outbox is not an archive) and history after 30 days. */
export async function pruneOutbox(db: ControlDb, now: number, maxAgeMs = 7 * 24 * 3600_000): Promise<void> {
  await db.notificationOutbox.deleteMany({
    where: { state: { in: ["delivered", "failed"] }, createdAt: { lt: new Date(now - maxAgeMs) } },
  });
  await db.alertHistory.deleteMany({ where: { at: { lt: new Date(now - HISTORY_RETENTION_MS) } } });
}
export const HISTORY_RETENTION_MS = 30 * 24 * 3600_000;
