/**
 * Domain spans shaped like the ingest benchmark's batches (make-batches.ts): traces of an
 * HTTP server span, a client call to another of 20 services, that service's server span and
 * its database call, ~12 attributes each, 1 % errors. Every trace id is new. Used to fill a
 * store through the real append path (one block per 512-span chunk, as one request makes).
 */
import type { Attributes, ResourceInfo, Span } from "../../server/normalize";

const SERVICES = 20;

export function makeResources(): ResourceInfo[] {
  return Array.from({ length: SERVICES }, (_, i) => ({
    service: `svc-${i}`,
    namespace: "bench",
    environment: "prod",
    attributes: {
      "service.name": `svc-${i}`,
      "service.namespace": "bench",
      "deployment.environment.name": "prod",
      "host.name": `host-${i}`,
      "telemetry.sdk.language": "nodejs",
    },
  }));
}

export function makeRng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const hex = (rand: () => number, bytes: number) => {
  let s = "";
  for (let i = 0; i < bytes; i += 4)
    s += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return s.slice(0, bytes * 2);
};

const SCOPE = { name: "@opentelemetry/instrumentation-http", version: "0.223.0" };

/**
 * Chunks of `chunk` spans, `total` in all, trace starts spread evenly over [fromMs, toMs).
 */
export function* spanChunks(total: number, fromMs: number, toMs: number, chunk = 512, seed = 1): Generator<Span[]> {
  const rand = makeRng(seed);
  const res = makeResources();
  const traces = Math.ceil(total / 4);
  const step = (toMs - fromMs) / traces;
  let out: Span[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = hex(rand, 16);
    const a = Math.floor(rand() * SERVICES);
    const c = (a + 1 + Math.floor(rand() * (SERVICES - 1))) % SERVICES;
    const now = BigInt(Math.floor((fromMs + t * step) * 1000)) * 1000n;
    const dur = BigInt(Math.floor(5_000_000 + rand() * 200_000_000));
    const rootId = hex(rand, 8),
      clientId = hex(rand, 8),
      serverId = hex(rand, 8),
      dbId = hex(rand, 8);
    const common = (name: string): Attributes => ({
      "http.request.method": "GET",
      "url.path": `/api/${name}/items`,
      "user_agent.original": "Mozilla/5.0 (X11; Linux x86_64)",
      "network.protocol.version": "1.1",
      "thread.id": Math.floor(rand() * 64),
    });
    const error = rand() < 0.01;
    const span = (
      spanId: string,
      parent: string | null,
      name: string,
      kind: 2 | 3,
      r: number,
      s: bigint,
      e: bigint,
      attributes: Attributes,
      err = false,
    ): Span => ({
      traceId,
      spanId,
      parentSpanId: parent,
      name,
      kind,
      startNs: s,
      endNs: e,
      statusCode: err ? 2 : 0,
      statusMessage: "",
      attributes,
      events: [],
      links: [],
      scope: SCOPE,
      resource: res[r]!,
    });
    out.push(
      span(rootId, null, "GET /api/items", 2, a, now, now + dur, {
        ...common("root"),
        "http.route": "/api/items",
        "http.response.status_code": 200,
        "server.address": "frontend",
        "client.address": "10.0.0.1",
        "url.scheme": "http",
        "server.port": 8080,
      }),
      span(clientId, rootId, "GET", 3, a, now + 1_000_000n, now + dur - 1_000_000n, {
        ...common("call"),
        "server.address": `svc-${c}`,
        "server.port": 8080,
        "url.full": `http://svc-${c}:8080/api/x`,
        "http.response.status_code": 200,
        "network.peer.address": "10.0.1.2",
        "network.peer.port": 8080,
        "http.request.resend_count": 0,
      }),
      span(
        serverId,
        clientId,
        "GET /api/x",
        2,
        c,
        now + 2_000_000n,
        now + dur - 2_000_000n,
        {
          ...common("x"),
          "http.route": "/api/x",
          "http.response.status_code": error ? 500 : 200,
          "client.address": "10.0.1.1",
          "server.port": 8080,
          "url.scheme": "http",
          "network.peer.port": 51234,
        },
        error,
      ),
      span(dbId, serverId, "SELECT items", 3, c, now + 3_000_000n, now + 4_000_000n, {
        "db.system.name": "postgresql",
        "db.namespace": `db${c}`,
        "db.operation.name": "SELECT",
        "db.collection.name": "items",
        "db.query.text": "SELECT id, name, price FROM items WHERE id = $1",
        "server.address": `pg-${c}`,
        "server.port": 5432,
        "network.peer.address": "10.0.2.2",
        "network.peer.port": 5432,
        "db.response.returned_rows": 1,
        "thread.id": 3,
        "code.function.name": "getItem",
      }),
    );
    if (out.length >= chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}
