// fulfillment and notifications: both consume the kafka topic `orders`, each in its own
// consumer group named after the service (so they do not compete for messages).
import { serveHttp } from "../http-kit";
import { consumerRoute, doInternalWork } from "../messaging";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { portOf } from "../service-context";

const WORK_BY_SERVICE: Record<string, { name: string; minMs: number; maxMs: number }> = {
  fulfillment: { name: "create shipment", minMs: 5, maxMs: 25 },
  notifications: { name: "render order confirmation", minMs: 2, maxMs: 10 },
};

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const work = WORK_BY_SERVICE[ctx.name] ?? { name: "handle order", minMs: 2, maxMs: 10 };
  const consumed = ctx.meter.createCounter("shop.messages.consumed", { description: "messages processed" });
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    consumerRoute(ctx, ctx.name, async () => {
      await doInternalWork(ctx, work.name, work.minMs, work.maxMs);
      consumed.add(1, { "messaging.destination.name": "orders" });
    }),
  ]);
  return { stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
