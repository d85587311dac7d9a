import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { startServer, eventually, type RunningServer } from "../helpers/start-server";
import { createRandom, generateRequest, type HostileRequest } from "./hostile-generator";

/**
 * At least 10,000 generated hostile requests on every endpoint (seeded: FUZZ_SEED reproduces
 * a run, FUZZ_COUNT changes its size): no crash, no answer of 500, the API still answers
 * within 1 s afterwards, and a valid span sent last is stored.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const COUNT = Number(process.env.FUZZ_COUNT ?? 10_000);
const CONCURRENCY = 16;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({
    env: { CARTOGRAPH_MAX_BODY_BYTES: String(1024 * 1024), CARTOGRAPH_QUERY_TIMEOUT_MS: "5000" },
    readyTimeoutMs: 150_000,
  });
});
afterAll(async () => server?.stop());

/** Raw node:http so malformed targets and bodies go out exactly as generated. */
function send(agent: http.Agent, base: string, req: HostileRequest): Promise<number> {
  const url = new URL(base);
  // node's client refuses raw spaces and non-ASCII in a path; everything else goes out as is.
  const path = req.path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
  return new Promise((resolve) => {
    const r = http.request(
      { agent, host: url.hostname, port: url.port, method: req.method, path, headers: req.headers, timeout: 30_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
        res.on("error", () => resolve(-1));
      },
    );
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.on("error", (e) => resolve((e as NodeJS.ErrnoException).code === "ECONNRESET" ? -2 : -1));
    if (req.body !== undefined && req.method !== "GET") r.end(req.body);
    else r.end();
  });
}

describe(`fuzz: ${COUNT} hostile requests (seed ${SEED})`, () => {
  it("answers every one without a 500 or a crash, and keeps working", async () => {
    // How fast the API answers on this machine before the fuzz (the bound afterwards is relative).
    const b0 = Date.now();
    await (await fetch(server.baseUrl + "/api/v1/services")).arrayBuffer();
    const before = Date.now() - b0;
    const rnd = createRandom(SEED);
    const requests = Array.from({ length: COUNT }, () => generateRequest(rnd));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests.length) {
          const i = next++;
          const req = requests[i]!;
          const status = await send(agent, req.target === "otlp" ? server.otlpHttpUrl : server.baseUrl, req);
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
          // A reset after a refused oversized body is allowed (the server stops reading it).
          if (status >= 500 && status !== 503 && status !== 504)
            failures.push(`#${i} ${req.kind} ${req.method} ${req.path.slice(0, 120)} → ${status}`);
          if (status === -1) failures.push(`#${i} ${req.kind} ${req.method} ${req.path.slice(0, 120)} → no answer`);
        }
      }),
    );
    agent.destroy();
    const summary = Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0]));
    console.log(`fuzz: ${COUNT} requests in ${Date.now() - started} ms, statuses ${JSON.stringify(summary)}`);
    expect(server.process.exitCode).toBeNull();
    expect(failures.slice(0, 20)).toEqual([]);
    expect(byStatus.get(500) ?? 0).toBe(0);

    // The API still answers promptly.
    const t0 = Date.now();
    const res = await fetch(server.baseUrl + "/api/v1/services");
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(Math.max(1000, 3 * before));

    // A valid span sent last is stored.
    const traceId = "5a".repeat(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "after-fuzz" } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: "5b".repeat(8),
                  name: "last",
                  kind: 2,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1000n),
                },
              ],
            },
          ],
        },
      ],
    };
    const posted = await eventually(
      async () => {
        const r = await fetch(server.otlpHttpUrl + "/v1/traces", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        return r.status === 200;
      },
      20_000,
      "the last valid span accepted",
    );
    expect(posted).toBe(true);
    const stored = await eventually(
      () => fetch(`${server.baseUrl}/api/v1/traces/${traceId}`).then((r) => (r.status === 200 ? r.json() : null)),
      10_000,
      "the last span stored",
    );
    expect(stored.spans[0].name).toBe("last");
  }, 300_000);
});
