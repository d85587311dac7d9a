import http from "node:http";
import { decodeTraceRequest, TraceResponse } from "../../server/decode";
import { normalizeTraces } from "../../server/normalize";
import { openClickHouseStore, type ClickHouseStore } from "../../server/store";
import { createRedAggregator } from "../../server/aggregate/red";
import type { ClickHouseNode } from "./clickhouse";

/**
 * A Cartograph ingest instance on the ClickHouse store, in process: an OTLP/HTTP protobuf
 * receiver that decodes and normalizes with the real stages, answers 200 only after ClickHouse
 * accepted the spans, and keeps RED cells in a buffer that flushRollups() appends.
 * (The full server does not run on ClickHouse yet; this is its write path.)
 */
export interface ClickHouseInstance {
  otlpHttpUrl: string;
  store: ClickHouseStore;
  accepted: () => number;
  flushRollups(): Promise<void>;
  stop(): Promise<void>;
}

const LIMITS = { maxValueLength: 4096, maxDepth: 8, maxAttributes: 256 };

export async function startClickHouseInstance(
  nodes: ClickHouseNode[],
  cluster: string | null,
  database = "cartograph",
): Promise<ClickHouseInstance> {
  const store = openClickHouseStore({
    urls: nodes.map((n) => n.url),
    database,
    user: "default",
    password: "",
    cluster,
  });
  await store.migrate();
  const red = createRedAggregator();
  let accepted = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      try {
        const decoded = decodeTraceRequest(Buffer.concat(chunks), "protobuf");
        const norm = normalizeTraces(decoded, LIMITS, { truncatedValues: 0, droppedAttributes: 0 });
        await store.appendSpans(norm.items);
        red.observe(norm.items, Date.now());
        accepted += norm.items.length;
        res
          .writeHead(200, { "content-type": "application/x-protobuf" })
          .end(Buffer.from(TraceResponse.encode({}).finish()));
      } catch (err) {
        res.writeHead(503, { "content-type": "text/plain" }).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    otlpHttpUrl: `http://127.0.0.1:${port}`,
    store,
    accepted: () => accepted,
    flushRollups: async () => red.flush(store, Date.now()),
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await store.close();
    },
  };
}
