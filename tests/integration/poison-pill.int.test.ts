import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";

/**
 * A span the store cannot take (a 2^64-1 nanosecond timestamp) is rejected alone: the other
 * spans of its request and other clients' requests in the same group commit are stored.
 */
let server: RunningServer;
beforeAll(async () => {
  // A long group-commit window puts the concurrent requests into one transaction.
  server = await startServer({ env: { CARTOGRAPH_FLUSH_INTERVAL_MS: "200" }, readyTimeoutMs: 150_000 });
});
afterAll(async () => server?.stop());

const hex = (len: number) =>
  Array.from({ length: len }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");
const MAX_U64 = "18446744073709551615";
function span(name: string, over: Record<string, unknown> = {}) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: hex(32),
    spanId: hex(16),
    name,
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
    ...over,
  };
}
const body = (service: string, spans: unknown[]) =>
  JSON.stringify({
    resourceSpans: [
      { resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] }, scopeSpans: [{ spans }] },
    ],
  });
const post = (b: string) =>
  fetch(server.otlpHttpUrl + "/v1/traces", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: b,
  });

describe("no poison pills", () => {
  it("rejects the bad span alone; the batch and other clients are stored", async () => {
    const good = span("good-other-client");
    const sibling = span("good-sibling");
    const poison = span("poison", { startTimeUnixNano: MAX_U64, endTimeUnixNano: MAX_U64 });
    const [a, b, c] = await Promise.all([
      post(body("client-a", [good])),
      post(body("client-b", [sibling, poison])),
      post(body("client-c", [poison])),
    ]);
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({});
    expect(b.status).toBe(200);
    const partial = (await b.json()).partialSuccess;
    expect(partial.rejectedSpans).toBe("1");
    expect(partial.errorMessage).toMatch(/2262/);
    // Only the poison: the whole request is invalid (400, not retried), never a 503.
    expect(c.status).toBe(400);
    expect(c.headers.get("retry-after")).toBeNull();
    for (const s of [good, sibling]) {
      await eventually(
        () => fetch(`${server.baseUrl}/api/v1/traces/${s.traceId}`).then((r) => r.status === 200),
        10_000,
        `span ${s.name} stored`,
      );
    }
    const metrics = await (await fetch(server.baseUrl + "/metrics")).text();
    await eventually(
      async () =>
        /cartograph_spans_rejected_total\{reason="invalid"\} [1-9]/.test(
          await (await fetch(server.baseUrl + "/metrics")).text(),
        ),
      10_000,
      "rejections counted by reason",
    );
    expect(metrics).toContain("cartograph_ingest_requests_total");
  });
});
