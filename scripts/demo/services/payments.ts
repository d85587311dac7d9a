// payments: a gRPC server (shop.payments.v1.PaymentService/Charge). Charges the card through
// the uninstrumented external API api.stripe.example (a CLIENT span made with the tracer, as
// a hand-instrumented SDK call would be) and records the payment in postgresql
// payments-db:5432/payments. During PAYMENTS_ERROR_BURST windows 30 % of charges fail.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { sendUnaryData, ServerUnaryCall } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import { PAYMENTS_DB, runQuery } from "../datastore";
import { isFaultWindowOpen, PAYMENTS_ERROR_BURST } from "../fault-schedule";
import { PAYMENT_SERVICE_DEFINITION, type ChargeReply, type ChargeRequest } from "../payments-grpc";
import type { ServiceContext, ServiceHandle } from "../service-context";
import { jitter, portOf, sleep } from "../service-context";

const STRIPE_HOST = "api.stripe.example";

/** Returns whether the processor accepted the charge. No network call is made. */
async function callCardProcessor(ctx: ServiceContext, failing: boolean): Promise<boolean> {
  const span = ctx.tracer.startSpan("POST", {
    kind: SpanKind.CLIENT,
    attributes: {
      "http.request.method": "POST",
      "server.address": STRIPE_HOST,
      "server.port": 443,
      "url.full": `https://${STRIPE_HOST}/v1/payment_intents`,
      "url.scheme": "https",
    },
  });
  await context.with(trace.setSpan(context.active(), span), () => sleep(jitter(40, 140)));
  const status = failing ? 503 : 200;
  span.setAttribute("http.response.status_code", status);
  if (failing) {
    span.setAttribute("error.type", "503");
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
  return !failing;
}

export async function start(ctx: ServiceContext): Promise<ServiceHandle> {
  const failures = ctx.meter.createCounter("shop.payments.failed", {
    description: "charges the card processor refused",
  });

  async function charge(call: ServerUnaryCall<ChargeRequest, ChargeReply>, callback: sendUnaryData<ChargeReply>) {
    const started = performance.now();
    const burst = ctx.config.faults && isFaultWindowOpen(PAYMENTS_ERROR_BURST, ctx.config.fleetStartMs, Date.now());
    const accepted = await callCardProcessor(ctx, burst && Math.random() < PAYMENTS_ERROR_BURST.failureRate);
    const attrs = { operation: "Charge", outcome: accepted ? "ok" : "error" };
    ctx.requestDuration.record((performance.now() - started) / 1000, attrs);
    ctx.requestCount.add(1, attrs);
    if (!accepted) {
      failures.add(1);
      callback({
        code: ctx.grpc.status.UNAVAILABLE,
        details: "card processor unavailable",
        name: "ChargeFailed",
        message: "card processor unavailable",
      });
      return;
    }
    await runQuery(ctx, PAYMENTS_DB, {
      operation: "INSERT",
      collection: "payments",
      text: "INSERT INTO payments (id, order_id, amount_cents, currency, status) VALUES ($1, $2, $3, $4, $5)",
      minMs: 2,
      maxMs: 7,
    });
    callback(null, { paymentId: randomUUID(), status: "captured" });
  }

  const server = new ctx.grpc.Server();
  server.addService(PAYMENT_SERVICE_DEFINITION, { charge });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${portOf(ctx, ctx.name)}`, ctx.grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  return { stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
