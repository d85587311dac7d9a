// billing: an older service on an older SDK, so its database spans carry the LEGACY
// semantic-convention names (db.system, db.name, net.peer.name, net.peer.port, db.statement).
// Its invoice job reads and updates the `orders` table that checkout writes, in the same
// postgresql orders-db:5432/orders: deliberate fault 1, shared database (and shared table).
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { ORDERS_DB_LEGACY, runQuery } from "../datastore";
import type { ServiceContext, ServiceHandle } from "../service-context";

const INVOICE_RUN_INTERVAL_MS = 2000;

async function runInvoiceJob(ctx: ServiceContext): Promise<void> {
  const span = ctx.tracer.startSpan("invoice run", { kind: SpanKind.INTERNAL, root: true }, ROOT_CONTEXT);
  const started = performance.now();
  await context.with(trace.setSpan(ROOT_CONTEXT, span), async () => {
    await runQuery(ctx, ORDERS_DB_LEGACY, {
      operation: "SELECT",
      collection: "orders",
      text: "SELECT id, user_id, total_cents FROM orders WHERE status = $1 ORDER BY created_at LIMIT 100",
      minMs: 4,
      maxMs: 15,
    });
    await runQuery(ctx, ORDERS_DB_LEGACY, {
      operation: "INSERT",
      collection: "invoices",
      text: "INSERT INTO invoices (order_id, amount_cents, issued_at) SELECT id, total_cents, now() FROM orders WHERE id = ANY($1)",
      minMs: 3,
      maxMs: 10,
    });
    await runQuery(ctx, ORDERS_DB_LEGACY, {
      operation: "UPDATE",
      collection: "orders",
      text: "UPDATE orders SET status = $1, invoiced_at = now() WHERE id = ANY($2)",
      minMs: 3,
      maxMs: 10,
    });
  });
  span.end();
  const attrs = { operation: "invoice run", outcome: "ok" };
  ctx.requestDuration.record((performance.now() - started) / 1000, attrs);
  ctx.requestCount.add(1, attrs);
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  let timer: NodeJS.Timeout | undefined;
  return {
    go() {
      timer = setInterval(() => void runInvoiceJob(ctx), INVOICE_RUN_INTERVAL_MS);
    },
    async stop() {
      if (timer) clearInterval(timer);
    },
  };
}
