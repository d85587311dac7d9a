import { describe, expect, it } from "vitest";
import path from "node:path";
import Database from "better-sqlite3";
import { trackServerRuns } from "../helpers/server-runs";
import { TraceRequest } from "../../server/decode";

function batch(traceByte: number, spans: number): { body: Uint8Array; traceId: string } {
  const traceId = Buffer.alloc(16, 0);
  traceId.writeUInt32BE(traceByte, 12);
  traceId[0] = 1;
  const now = Date.now() * 1e6;
  const msg = TraceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "durable" } }] },
        scopeSpans: [
          {
            spans: Array.from({ length: spans }, (_, i) => {
              const id = Buffer.alloc(8);
              id.writeUInt32BE(i + 1, 4);
              return {
                traceId,
                spanId: id,
                name: `op-${i % 7}`,
                kind: 2,
                startTimeUnixNano: now,
                endTimeUnixNano: now + 1e6,
                attributes: [{ key: "i", value: { intValue: i } }],
              };
            }),
          },
        ],
      },
    ],
  });
  return { body: TraceRequest.encode(msg).finish(), traceId: traceId.toString("hex") };
}

const runs = trackServerRuns("kill");

// Each test starts its servers inside the test (not in a hook): the budget covers server starts,
// which take most of a minute on a loaded 2-core machine.
const START_BUDGET_MS = 180_000;

describe("durability (WAL, synchronous=NORMAL)", () => {
  it(
    "keeps every acknowledged span across a kill -9 in the middle of a load",
    async () => {
      const dataDir = runs.createDataDir();
      const server = await runs.start({ dataDir });
      const acked: string[] = [];
      let sent = 0;
      let killed = false;
      const SPANS = 300;
      const worker = async (w: number) => {
        for (let i = 0; !killed; i++) {
          const b = batch(w * 10_000 + i, SPANS);
          sent++;
          try {
            const res = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
              method: "POST",
              body: b.body as BodyInit,
              headers: { "content-type": "application/x-protobuf" },
            });
            if (res.status === 200) acked.push(b.traceId);
            await res.arrayBuffer();
          } catch {
            return; // connection reset by the kill: not acknowledged
          }
          if (acked.length >= 25 && !killed) {
            killed = true;
            await server.kill();
          }
        }
      };
      await Promise.all([0, 1, 2, 3, 4, 5].map(worker));
      expect(killed).toBe(true);
      expect(acked.length).toBeGreaterThanOrEqual(25);
      // Read the real SQLite file the way a restarted server would (WAL recovery on open).
      const db = new Database(path.join(dataDir, "telemetry.db"));
      // The trace summary counts the spans stored for a trace (ids binary, span data in blocks).
      const count = db.prepare("SELECT spans FROM traces WHERE trace_id = ?").pluck();
      const missing = acked.filter((t) => count.get(Buffer.from(t, "hex")) !== SPANS);
      db.close();
      expect(missing).toEqual([]);
      // And the restarted server serves them.
      const again = await runs.start({ dataDir });
      const t = await again.get(`/api/v1/traces/${acked[0]}`);
      expect(t.spans).toHaveLength(SPANS);
      expect(sent).toBeGreaterThan(acked.length - 1);
    },
    START_BUDGET_MS,
  );

  it(
    "sheds load with 503 + Retry-After when the write queue is full, and stores everything it acknowledged",
    async () => {
      const server = await runs.start({
        env: { CARTOGRAPH_QUEUE_MAX_REQUESTS: "2", CARTOGRAPH_FLUSH_INTERVAL_MS: "200" },
      });
      const results = await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          const b = batch(900_000 + i, 50);
          const res = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
            method: "POST",
            body: b.body as BodyInit,
            headers: { "content-type": "application/x-protobuf" },
          });
          await res.arrayBuffer();
          return { status: res.status, retryAfter: res.headers.get("retry-after"), traceId: b.traceId };
        }),
      );
      const shed = results.filter((r) => r.status === 503);
      const ok = results.filter((r) => r.status === 200);
      expect(shed.length).toBeGreaterThan(0);
      expect(ok.length).toBeGreaterThan(0);
      expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      for (const r of shed) {
        expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(r.retryAfter)).toBeLessThanOrEqual(5);
      }
      for (const r of ok) expect((await server.get(`/api/v1/traces/${r.traceId}`)).spans).toHaveLength(50);
      const metrics = await (await fetch(server.baseUrl + "/metrics")).text();
      expect(metrics).toMatch(
        /cartograph_ingest_rejected_requests_items_total\{signal="traces",reason="overload"\} [1-9]/,
      );
    },
    START_BUDGET_MS,
  );
});
