// The in-launcher message relay standing in for Kafka: POST /publish {topic, key, value,
// headers} is accepted at once (202) and delivered to every subscribed consumer's
// DELIVERY_PATH a few ms later. It is deliberately uninstrumented (the launcher loads no
// OpenTelemetry): the trace context travels only in the message headers, as with Kafka.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DELIVERY_PATH } from "./fleet-spec";

export interface Broker {
  url: string;
  /** messages accepted so far, per topic */
  published: Map<string, number>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  /** topic → consumer service names */
  subscriptions: Readonly<Record<string, readonly string[]>>;
  /** resolves a consumer service to its 127.0.0.1 port (known only once ports are allocated) */
  portOf(service: string): number | undefined;
}

function deliver(port: number, payload: string): void {
  const req = http.request(
    { host: "127.0.0.1", port, path: DELIVERY_PATH, method: "POST", headers: { "content-type": "application/json" } },
    (res) => res.resume(),
  );
  req.on("error", () => {
    // consumer stopping: at-most-once delivery is fine for a demo
  });
  req.end(payload);
}

export async function startBroker(options: BrokerOptions): Promise<Broker> {
  const published = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/publish") {
        res.writeHead(404).end();
        return;
      }
      let message: { topic?: string };
      try {
        message = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(400).end();
        return;
      }
      const topic = String(message.topic ?? "");
      const offset = published.get(topic) ?? 0;
      published.set(topic, offset + 1);
      res.writeHead(202, { "content-type": "application/json" }).end('{"accepted":true}');
      const payload = JSON.stringify({ ...message, partition: offset % 3, offset });
      for (const consumer of options.subscriptions[topic] ?? []) {
        const port = options.portOf(consumer);
        // consumer lag of a few ms, as a polling consumer would see
        if (port) setTimeout(() => deliver(port, payload), 5 + Math.random() * 40);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
