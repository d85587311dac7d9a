import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { startServer, type RunningServer } from "../helpers/start-server";

/**
 * The answers of 500 found by an attacker's probe (issue "Security and abuse resistance"),
 * each reproduced: every one must now be a 4xx whose message names what was wrong.
 */
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ readyTimeoutMs: 150_000 });
});
afterAll(async () => server?.stop());

const HUGE = "9".repeat(400);
const YEAR1 = encodeURIComponent("0001-01-01T00:00:00Z");
const YEAR9999 = encodeURIComponent("9999-12-31T23:59:59Z");
const BACKSLASH_ATTR = encodeURIComponent('a\\b"c=1');

/** [path and query, the parameter the 400 must name]. */
const KNOWN_500S: [string, string][] = [
  [`/api/v1/traces?from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/traces?to=99999999999999`, "to"],
  [`/api/v1/traces?from=-${HUGE}&to=${HUGE}`, "to"],
  [`/api/v1/traces?from=-${HUGE}`, "from"],
  [`/api/v1/traces?from=${YEAR1}`, "from"],
  [`/api/v1/traces?minDurationMs=1e300`, "minDurationMs"],
  [`/api/v1/service-map?source=rebuild&from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/service-map?source=rebuild&to=99999999999999`, "to"],
  [`/api/v1/service-map?from=0&to=${Date.now()}`, "from"],
  [`/api/v1/metrics/query?service=a&name=b&from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/metrics/query?service=a&name=b&to=${HUGE}`, "to"],
  [`/api/v1/metrics/query?service=a&name=b&step=1e300`, "step"],
  [`/api/v1/violations?from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/violations?to=99999999999999`, "to"],
  [`/api/v1/coupling/metrics?from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/coupling/metrics?from=-${HUGE}`, "from"],
  [`/api/v1/alerts/history?from=${YEAR1}&to=${YEAR9999}`, "from"],
  [`/api/v1/alerts/history?to=99999999999999`, "to"],
  [`/api/v1/services?from=${HUGE}`, "from"],
  [`/api/v1/services/x/timeseries?step=-${HUGE}`, "step"],
];

describe("the 500s of the issue are 400s naming the parameter", () => {
  it.each(KNOWN_500S)("GET %s", async (pathAndQuery, param) => {
    const res = await fetch(server.baseUrl + pathAndQuery);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.message).toContain(param);
  });

  it("an attr= key with a backslash and a quote finds the span that carries it", async () => {
    const traceId = "ab".repeat(16);
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = {
      traceId,
      spanId: "cd".repeat(8),
      name: "odd-key",
      kind: 2,
      startTimeUnixNano: String(now),
      endTimeUnixNano: String(now + 1000n),
      attributes: [{ key: 'a\\b"c', value: { stringValue: "1" } }],
    };
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "odd" } }] },
          scopeSpans: [{ spans: [span] }],
        },
      ],
    };
    const posted = await fetch(server.otlpHttpUrl + "/v1/traces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const res = await fetch(`${server.baseUrl}/api/v1/traces?attr=${BACKSLASH_ATTR}`);
    expect(res.status).toBe(200);
    expect((await res.json()).traces.map((t: { traceId: string }) => t.traceId)).toEqual([traceId]);
  });

  it("a malformed request target (//h:99999/) is a 400", async () => {
    const { port } = new URL(server.baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, path: "//h:99999/", method: "GET" }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
  });

  it("a billion-laughs policy is refused with 400 and the server keeps answering", async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const p = String.fromCharCode(97 + i - 1);
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`,
      );
    }
    const started = Date.now();
    const res = await fetch(server.baseUrl + "/api/v1/policy", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ yaml: lines.join("\n") }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(JSON.stringify(body)).toMatch(/alias/i);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await fetch(server.baseUrl + "/api/v1/policy")).status).toBe(200);
  });

  it("a 20k-deep policy is refused with 400", async () => {
    const deep = "[".repeat(20_000) + "]".repeat(20_000);
    const res = await fetch(server.baseUrl + "/api/v1/policy", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ yaml: deep }),
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.message).toMatch(/nest/i);
    const deepBlock = Array.from({ length: 1000 }, (_, i) => " ".repeat(i) + "k:").join("\n");
    const res2 = await fetch(server.baseUrl + "/api/v1/policy", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ yaml: deepBlock }),
    });
    expect(res2.status).toBe(400);
    expect((await res2.json()).error.message).toMatch(/nest/i);
  });

  it("a 500 never carries internal error text", async () => {
    // Every answer above was a 4xx; the server's own log keeps what went wrong, answers stay generic.
    const res = await fetch(server.baseUrl + "/api/v1/traces/" + "0".repeat(31) + "g");
    expect(res.status).toBe(400);
  });
});
