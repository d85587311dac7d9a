// inventory: stock in mysql inventory-db:3306/inventory. A background job refreshes product
// data from catalog every second (inventory → catalog: the other half of deliberate fault 2;
// together with catalog → inventory it closes a cycle, on different requests). During
// INVENTORY_LATENCY_SPIKE windows every request is 400 ms slower.
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { callService, serveHttp } from "../http-kit";
import { INVENTORY_DB, runQuery } from "../datastore";
import { INVENTORY_LATENCY_SPIKE, isFaultWindowOpen } from "../fault-schedule";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { portOf, sleep } from "../service-context";

const CATALOG_SYNC_INTERVAL_MS = 1000;

async function applyLatencySpike(ctx: ServiceContext): Promise<void> {
  if (ctx.config.faults && isFaultWindowOpen(INVENTORY_LATENCY_SPIKE, ctx.config.fleetStartMs, Date.now())) {
    await sleep(INVENTORY_LATENCY_SPIKE.extraMs);
  }
}

async function syncCatalog(ctx: ServiceContext): Promise<void> {
  const span = ctx.tracer.startSpan("sync catalog products", { kind: SpanKind.INTERNAL, root: true }, ROOT_CONTEXT);
  try {
    await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
      await callService(ctx, "catalog", "/products");
      await runQuery(ctx, INVENTORY_DB, {
        operation: "UPDATE",
        collection: "product_cache",
        text: "UPDATE product_cache SET name = ?, refreshed_at = NOW() WHERE product_id = ?",
      });
    });
  } catch {
    // catalog briefly unreachable (start-up, shutdown): the next run catches up
  } finally {
    span.end();
  }
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    {
      method: "GET",
      pattern: "/stock/:productId",
      async handle(params) {
        await applyLatencySpike(ctx);
        await runQuery(ctx, INVENTORY_DB, {
          operation: "SELECT",
          collection: "stock",
          text: "SELECT quantity, reserved FROM stock WHERE product_id = ?",
        });
        return { status: 200, body: { productId: params.productId, available: 42 } };
      },
    },
    {
      method: "POST",
      pattern: "/reservations",
      async handle() {
        await applyLatencySpike(ctx);
        await runQuery(ctx, INVENTORY_DB, {
          operation: "UPDATE",
          collection: "stock",
          text: "UPDATE stock SET reserved = reserved + ? WHERE product_id = ? AND quantity - reserved >= ?",
          minMs: 2,
          maxMs: 9,
        });
        return { status: 201, body: { reserved: true } };
      },
    },
  ]);
  let timer: NodeJS.Timeout | undefined;
  return {
    go() {
      timer = setInterval(() => void syncCatalog(ctx), CATALOG_SYNC_INTERVAL_MS);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
