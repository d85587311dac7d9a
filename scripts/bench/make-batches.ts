/**
 * Pre-encoded OTLP/protobuf ExportTraceServiceRequests of 512 spans: traces of an HTTP
 * server span, a client call to another service with its server span, and a database call,
 * across 20 services, with ~12 realistic attributes per span (~500 B/span encoded).
 */
import { randomBytes } from "node:crypto";
import { TraceRequest } from "../../server/decode";

const kv = (key: string, v: string | number) => ({
  key,
  value: typeof v === "number" ? { intValue: v } : { stringValue: v },
});

export interface Batch {
  body: Uint8Array;
  /** Byte offsets of every trace id in body, so a sender can make each send unique. */
  traceIdOffsets: number[];
}

/**
 * A copy of the batch whose trace ids start with `run` then `n` (4 bytes each), so no send is a
 * replay of another: a sender takes a random `run` and counts `n`. (With one number for both,
 * two senders' ranges could meet, and the store rightly drops the second copy of a trace.)
 */
export function uniqueCopy(batch: Batch, run: number, n: number): Buffer {
  const copy = Buffer.from(batch.body);
  for (const off of batch.traceIdOffsets) {
    copy.writeUInt32BE(run >>> 0, off);
    copy.writeUInt32BE(n >>> 0, off + 4);
  }
  return copy;
}

/** A random `run` for uniqueCopy. */
export function randomRun(): number {
  return randomBytes(4).readUInt32BE(0);
}

export function makeBatches(count: number, spansPerBatch = 512, seed = 1): Batch[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const out: Batch[] = [];
  for (let b = 0; b < count; b++) {
    const byService = new Map<number, unknown[]>();
    const push = (svc: number, span: unknown) => {
      if (!byService.has(svc)) byService.set(svc, []);
      byService.get(svc)!.push(span);
    };
    let n = 0;
    const traceIds: Buffer[] = [];
    while (n < spansPerBatch) {
      const traceId = bytes(16);
      traceIds.push(traceId);
      const a = Math.floor(rand() * 20);
      const c = (a + 1 + Math.floor(rand() * 19)) % 20;
      const now = BigInt(Date.now()) * 1_000_000n;
      const dur = BigInt(Math.floor(5_000_000 + rand() * 200_000_000));
      const rootId = bytes(8),
        clientId = bytes(8),
        serverId = bytes(8),
        dbId = bytes(8);
      const common = (name: string) => [
        kv("http.request.method", "GET"),
        kv("url.path", `/api/${name}/items`),
        kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"),
        kv("network.protocol.version", "1.1"),
        kv("thread.id", Math.floor(rand() * 64)),
      ];
      push(a, {
        traceId,
        spanId: rootId,
        name: "GET /api/items",
        kind: 2,
        startTimeUnixNano: now.toString(),
        endTimeUnixNano: (now + dur).toString(),
        attributes: [
          ...common("root"),
          kv("http.route", "/api/items"),
          kv("http.response.status_code", 200),
          kv("server.address", "frontend"),
          kv("client.address", "10.0.0.1"),
          kv("url.scheme", "http"),
          kv("server.port", 8080),
        ],
        status: {},
      });
      push(a, {
        traceId,
        spanId: clientId,
        parentSpanId: rootId,
        name: "GET",
        kind: 3,
        startTimeUnixNano: (now + 1_000_000n).toString(),
        endTimeUnixNano: (now + dur - 1_000_000n).toString(),
        attributes: [
          ...common("call"),
          kv("server.address", `svc-${c}`),
          kv("server.port", 8080),
          kv("url.full", `http://svc-${c}:8080/api/x`),
          kv("http.response.status_code", 200),
          kv("network.peer.address", "10.0.1.2"),
          kv("network.peer.port", 8080),
          kv("http.request.resend_count", 0),
        ],
        status: {},
      });
      push(c, {
        traceId,
        spanId: serverId,
        parentSpanId: clientId,
        name: "GET /api/x",
        kind: 2,
        startTimeUnixNano: (now + 2_000_000n).toString(),
        endTimeUnixNano: (now + dur - 2_000_000n).toString(),
        attributes: [
          ...common("x"),
          kv("http.route", "/api/x"),
          kv("http.response.status_code", rand() < 0.01 ? 500 : 200),
          kv("client.address", "10.0.1.1"),
          kv("server.port", 8080),
          kv("url.scheme", "http"),
          kv("network.peer.port", 51234),
        ],
        status: rand() < 0.01 ? { code: 2 } : {},
      });
      push(c, {
        traceId,
        spanId: dbId,
        parentSpanId: serverId,
        name: "SELECT items",
        kind: 3,
        startTimeUnixNano: (now + 3_000_000n).toString(),
        endTimeUnixNano: (now + 4_000_000n).toString(),
        attributes: [
          kv("db.system.name", "postgresql"),
          kv("db.namespace", `db${c}`),
          kv("db.operation.name", "SELECT"),
          kv("db.collection.name", "items"),
          kv("db.query.text", "SELECT id, name, price FROM items WHERE id = $1"),
          kv("server.address", `pg-${c}`),
          kv("server.port", 5432),
          kv("network.peer.address", "10.0.2.2"),
          kv("network.peer.port", 5432),
          kv("db.response.returned_rows", 1),
          kv("thread.id", 3),
          kv("code.function.name", "getItem"),
        ],
        status: {},
      });
      n += 4;
    }
    const msg = TraceRequest.fromObject({
      resourceSpans: [...byService].map(([svc, spans]) => ({
        resource: {
          attributes: [
            kv("service.name", `svc-${svc}`),
            kv("service.namespace", "bench"),
            kv("deployment.environment.name", "prod"),
            kv("host.name", `host-${svc}`),
            kv("telemetry.sdk.language", "nodejs"),
          ],
        },
        scopeSpans: [{ scope: { name: "@opentelemetry/instrumentation-http", version: "0.223.0" }, spans }],
      })),
    });
    const body = Buffer.from(TraceRequest.encode(msg).finish());
    const traceIdOffsets: number[] = [];
    for (const id of traceIds) {
      for (let at = body.indexOf(id); at !== -1; at = body.indexOf(id, at + 1)) traceIdOffsets.push(at);
    }
    out.push({ body, traceIdOffsets });
  }
  return out;
}

export function countSpans(batch: Uint8Array): number {
  const m = TraceRequest.decode(batch);
  let n = 0;
  for (const rs of m.resourceSpans) for (const ss of rs.scopeSpans ?? []) n += ss.spans?.length ?? 0;
  return n;
}
