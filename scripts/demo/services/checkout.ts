// checkout: places an order. payments over gRPC, inventory over HTTP, the order rows in
// postgresql orders-db:5432/orders (shared with billing: deliberate fault 1), then an event
// on the kafka topic `orders` (same request, so the DB write is paired with a publish).
import { randomUUID } from "node:crypto";
import type { Client, ServiceError } from "@grpc/grpc-js";
import { callService, serveHttp, type JsonResponse } from "../http-kit";
import { ORDERS_DB_STABLE, runQuery } from "../datastore";
import { publishMessage } from "../messaging";
import { PAYMENT_SERVICE_DEFINITION, type ChargeReply, type ChargeRequest } from "../payments-grpc";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { pickInt, portOf } from "../service-context";

type PaymentsClient = Client & {
  charge(request: ChargeRequest, callback: (error: ServiceError | null, reply?: ChargeReply) => void): void;
};

function charge(client: PaymentsClient, request: ChargeRequest): Promise<ChargeReply> {
  return new Promise((resolve, reject) => {
    client.charge(request, (error, reply) => (error ? reject(error) : resolve(reply!)));
  });
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const PaymentsClientCtor = ctx.grpc.makeGenericClientConstructor(PAYMENT_SERVICE_DEFINITION, "PaymentService");
  const payments = new PaymentsClientCtor(
    `127.0.0.1:${portOf(ctx, "payments")}`,
    ctx.grpc.credentials.createInsecure(),
  ) as unknown as PaymentsClient;
  const ordersPlaced = ctx.meter.createCounter("shop.orders.placed", { description: "orders accepted by checkout" });

  async function placeOrder(body: unknown): Promise<JsonResponse> {
    const order = (body ?? {}) as { userId?: string; paymentMethod?: string };
    const userId = order.userId ?? "anonymous";
    const orderId = randomUUID();
    const lines = pickInt(1, 4);
    // Orders paid on invoice are charged later by billing: no card payment now.
    if (order.paymentMethod !== "invoice") {
      try {
        await charge(payments, { orderId, userId, amountCents: pickInt(500, 25_000), currency: "EUR" });
      } catch (error) {
        // A failed charge is an expected business outcome: 402, not a server error.
        return { status: 402, body: { orderId, status: "payment_failed", reason: (error as ServiceError).details } };
      }
    }
    await callService(ctx, "inventory", "/reservations", { method: "POST", body: { orderId, lines } });
    await runQuery(ctx, ORDERS_DB_STABLE, {
      operation: "INSERT",
      collection: "orders",
      text: "INSERT INTO orders (id, user_id, status, total_cents, created_at) VALUES ($1, $2, $3, $4, now())",
      minMs: 2,
      maxMs: 8,
    });
    await runQuery(ctx, ORDERS_DB_STABLE, {
      operation: "INSERT",
      collection: "order_lines",
      text: "INSERT INTO order_lines (order_id, product_id, quantity, price_cents) SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[])",
      minMs: 2,
      maxMs: 6,
    });
    await publishMessage(ctx, "orders", orderId, { type: "OrderPlaced", orderId, userId, lines });
    ordersPlaced.add(1);
    return { status: 201, body: { orderId, status: "placed" } };
  }

  const server = await serveHttp(ctx, portOf(ctx, ctx.name), [
    { method: "POST", pattern: "/orders", handle: (_params, body) => placeOrder(body) },
  ]);
  return {
    stop: async () => {
      payments.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
