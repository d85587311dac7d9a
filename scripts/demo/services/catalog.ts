// catalog: products in postgresql catalog-db:5432/catalog. A product page asks inventory for
// stock (catalog → inventory: one half of deliberate fault 2, the cycle).
import { callService, serveHttp } from "../http-kit";
import { CATALOG_DB, runQuery } from "../datastore";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { portOf } from "../service-context";

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    {
      method: "GET",
      pattern: "/products",
      async handle() {
        await runQuery(ctx, CATALOG_DB, {
          operation: "SELECT",
          collection: "products",
          text: "SELECT id, name, price_cents FROM products WHERE active = $1 ORDER BY rank LIMIT $2",
          minMs: 3,
          maxMs: 12,
        });
        return { status: 200, body: { products: Array.from({ length: 20 }, (_, i) => ({ id: `p${i + 1}` })) } };
      },
    },
    {
      method: "GET",
      pattern: "/products/:id",
      async handle(params) {
        await runQuery(ctx, CATALOG_DB, {
          operation: "SELECT",
          collection: "products",
          text: "SELECT id, name, description, price_cents FROM products WHERE id = $1",
        });
        const stock = await callService(ctx, "inventory", `/stock/${params.id}`);
        return { status: 200, body: { id: params.id, stock: stock.body } };
      },
    },
    {
      method: "GET",
      pattern: "/products/:id/price",
      async handle(params) {
        await runQuery(ctx, CATALOG_DB, {
          operation: "SELECT",
          collection: "prices",
          text: "SELECT price_cents, currency FROM prices WHERE product_id = $1",
          minMs: 1,
          maxMs: 4,
        });
        return { status: 200, body: { id: params.id, priceCents: 1999, currency: "EUR" } };
      },
    },
  ]);
  return { stop: () => new Promise((resolve) => server.close(() => resolve())) };
}
