// Kafka-like messaging, instrumented the way kafkajs instrumentations do it: a PRODUCER span
// whose context travels in the message headers, and on the consumer side a CONSUMER span that
// starts a NEW trace linked to the producer's span context. Transport: the launcher's broker,
// reached over plain HTTP with tracing suppressed (Kafka speaks its own TCP protocol, so these
// hops must not show up as HTTP calls).
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { ServiceContext } from "./service-context";
import { jitter, sleep } from "./service-context";
import type { Route } from "./http-kit";
import { callUntraced } from "./http-kit";
import { DELIVERY_PATH } from "./fleet-spec";

export interface BrokerMessage {
  topic: string;
  key: string;
  value: unknown;
  headers: Record<string, string>;
  partition: number;
  offset: number;
}

let publishedCount = 0;

/** Publishes on a topic inside a PRODUCER span; resolves once the broker accepted it. */
export async function publishMessage(ctx: ServiceContext, topic: string, key: string, value: unknown): Promise<void> {
  const span = ctx.tracer.startSpan(`publish ${topic}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      "messaging.system": "kafka",
      "messaging.destination.name": topic,
      "messaging.operation.type": "publish",
      "messaging.operation.name": "send",
      "messaging.kafka.message.key": key,
      "messaging.message.id": `${ctx.name}-${process.pid}-${++publishedCount}`,
    },
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  try {
    const brokerUrl = new URL(ctx.config.brokerUrl);
    await callUntraced(ctx, Number(brokerUrl.port), "/publish", {
      method: "POST",
      body: { topic, key, value, headers },
    });
  } finally {
    span.end();
  }
}

/** The route on which a consumer receives deliveries; handle runs inside the CONSUMER span. */
export function consumerRoute(
  ctx: ServiceContext,
  group: string,
  handle: (message: BrokerMessage) => Promise<void>,
): Route {
  return {
    method: "POST",
    pattern: DELIVERY_PATH,
    plumbing: true,
    async handle(_params, body) {
      const message = body as BrokerMessage;
      const producer = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, message.headers));
      const span = ctx.tracer.startSpan(
        `process ${message.topic}`,
        {
          kind: SpanKind.CONSUMER,
          root: true,
          links: producer ? [{ context: producer }] : [],
          attributes: {
            "messaging.system": "kafka",
            "messaging.destination.name": message.topic,
            "messaging.operation.type": "process",
            "messaging.operation.name": "process",
            "messaging.consumer.group.name": group,
            "messaging.kafka.message.key": message.key,
            "messaging.destination.partition.id": String(message.partition),
            "messaging.kafka.offset": message.offset,
          },
        },
        ROOT_CONTEXT,
      );
      const started = performance.now();
      try {
        await context.with(trace.setSpan(ROOT_CONTEXT, span), () => handle(message));
      } finally {
        span.end();
        const attrs = { operation: `process ${message.topic}`, outcome: "ok" };
        ctx.requestDuration.record((performance.now() - started) / 1000, attrs);
        ctx.requestCount.add(1, attrs);
      }
      return { status: 202, body: { ok: true } };
    },
  };
}

/** A unit of in-process work as an INTERNAL span (no attributes that look like a peer). */
export async function doInternalWork(ctx: ServiceContext, name: string, minMs: number, maxMs: number): Promise<void> {
  const span = ctx.tracer.startSpan(name, { kind: SpanKind.INTERNAL });
  await context.with(trace.setSpan(context.active(), span), () => sleep(jitter(minMs, maxMs)));
  span.end();
}
