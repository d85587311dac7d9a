// cart: carts in redis cache-redis:6379 db 0. Viewing a cart prices every item with its own
// sequential call to catalog (10–30 calls per request): deliberate fault 3, N+1 / chatty.
import { callService, serveHttp } from "../http-kit";
import { CART_CACHE, runQuery } from "../datastore";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { pickInt, portOf } from "../service-context";

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    {
      method: "GET",
      pattern: "/carts/:userId",
      async handle() {
        await runQuery(ctx, CART_CACHE, { operation: "GET", text: "GET cart:?", minMs: 0.3, maxMs: 1.5 });
        const items = pickInt(10, 30);
        let totalCents = 0;
        for (let i = 0; i < items; i++) {
          const price = await callService(ctx, "catalog", `/products/p${pickInt(1, 200)}/price`);
          totalCents += (price.body as { priceCents?: number } | null)?.priceCents ?? 0;
        }
        return { status: 200, body: { items, totalCents } };
      },
    },
    {
      method: "POST",
      pattern: "/carts/:userId/items",
      async handle() {
        await runQuery(ctx, CART_CACHE, { operation: "GET", text: "GET cart:?", minMs: 0.3, maxMs: 1.5 });
        await runQuery(ctx, CART_CACHE, { operation: "SET", text: "SET cart:? ? EX ?", minMs: 0.3, maxMs: 1.5 });
        return { status: 201, body: { ok: true } };
      },
    },
  ]);
  return { stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
