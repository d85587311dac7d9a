/**
 * What the UI/API port enforces with authentication off (loopback): CSRF refusals, the Host
 * allow-list and the security headers, through real HTTP against the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import { startServer, type RunningServer } from "../helpers/start-server";

let server: RunningServer;
let port = 0;
beforeAll(async () => {
  server = await startServer({
    env: {
      CARTOGRAPH_ALLOWED_HOSTS: "cartograph.internal, *.corp.example",
      CARTOGRAPH_PUBLIC_URL: "https://dash.example.org",
    },
  });
  port = Number(new URL(server.baseUrl).port);
}, 120_000);
afterAll(async () => server?.stop());

const RULE = {
  type: "service",
  name: "csrf-probe",
  service: "checkout",
  signal: "error_rate",
  op: ">",
  threshold: 0.5,
};

/** A raw request: fetch would not let the test set Host, and browsers' headers are spelled out here. */
function request(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
  targetPort = port,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: targetPort,
        method,
        path,
        headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const ruleNames = async () =>
  ((await server.get("/api/v1/alert-rules")).rules as Array<{ name: string }>).map((r) => r.name);

describe("cross-site request forgery", () => {
  it("refuses the cross-site text/plain form post that used to create a rule", async () => {
    const r = await request(
      "POST",
      "/api/v1/alert-rules",
      { "content-type": "text/plain", origin: "http://evil.example", "sec-fetch-site": "cross-site" },
      JSON.stringify(RULE),
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe("json-required");
    expect(await ruleNames()).not.toContain("csrf-probe");
  });

  it("refuses JSON from a foreign Origin, and a cross-site Sec-Fetch-Site without Origin", async () => {
    const foreign = await request(
      "POST",
      "/api/v1/alert-rules",
      { "content-type": "application/json", origin: "http://evil.example" },
      JSON.stringify(RULE),
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe("cross-origin-request");
    const opaque = await request(
      "POST",
      "/api/v1/notification-channels",
      { "content-type": "application/json", origin: "null" },
      "{}",
    );
    expect(opaque.status).toBe(403);
    const site = await request("DELETE", "/api/v1/alert-rules/x", { "sec-fetch-site": "same-site" });
    expect(site.status).toBe(403);
    expect(site.body.error.code).toBe("cross-site-request");
    expect(await ruleNames()).not.toContain("csrf-probe");
  });

  it("accepts the same request from this server's own origin, the public URL, or a non-browser client", async () => {
    const own = await request(
      "POST",
      "/api/v1/alert-rules",
      {
        "content-type": "application/json",
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        "sec-fetch-site": "same-origin",
      },
      JSON.stringify(RULE),
    );
    expect(own.status).toBe(201);
    const viaProxy = await request(
      "POST",
      "/api/v1/alert-rules",
      { "content-type": "application/json", host: "cartograph.internal", origin: "https://dash.example.org" },
      JSON.stringify({ ...RULE, name: "via-proxy" }),
    );
    expect(viaProxy.status).toBe(201);
    const script = await request(
      "POST",
      "/api/v1/alert-rules",
      { "content-type": "application/json; charset=utf-8" },
      JSON.stringify({ ...RULE, name: "from-script" }),
    );
    expect(script.status).toBe(201);
    expect(await ruleNames()).toEqual(expect.arrayContaining(["csrf-probe", "via-proxy", "from-script"]));
  });

  it("needs JSON on every body-carrying mutation, even without browser headers", async () => {
    const r = await request("PUT", "/api/v1/policy", { "content-type": "application/x-www-form-urlencoded" }, "yaml=x");
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain("application/json");
  });
});

describe("Host allow-list", () => {
  it("answers 421 to a name it does not serve (DNS rebinding), with no data", async () => {
    const r = await request("GET", "/api/v1/services", { host: "evil.example" });
    expect(r.status).toBe(421);
    expect(r.body.error.code).toBe("unknown-host");
    expect(r.body.services).toBeUndefined();
    expect((await request("GET", "/", { host: `evil.example:${port}` })).status).toBe(421);
    expect((await request("GET", "/api/v1/services", { host: "bad host" })).status).toBe(421);
  });

  it("serves loopback names, IP literals, the public URL's host and CARTOGRAPH_ALLOWED_HOSTS", async () => {
    for (const host of [
      "localhost",
      `localhost:${port}`,
      "127.0.0.1",
      "[::1]:3000",
      "10.1.2.3",
      "dash.example.org",
      "cartograph.internal:443",
      "a.corp.example",
    ]) {
      const r = await request("GET", "/api/v1/services", { host });
      expect(r.status, host).toBe(200);
    }
  });

  it("keeps OTLP, probes and /metrics working under any Host", async () => {
    const otlp = await request(
      "POST",
      "/v1/traces",
      { host: "collector.anywhere", "content-type": "application/json" },
      JSON.stringify({ resourceSpans: [] }),
    );
    expect(otlp.status).toBe(200);
    expect((await request("GET", "/readyz", { host: "k8s-probe" })).status).toBe(200);
    const otlpPort = Number(new URL(server.otlpHttpUrl).port);
    const other = await request(
      "POST",
      "/v1/traces",
      { host: "evil.example", "content-type": "application/json" },
      JSON.stringify({ resourceSpans: [] }),
      otlpPort,
    );
    expect(other.status).toBe(200);
  });
});

describe("security headers", () => {
  it("sends nosniff, no framing, a referrer policy and a CSP on API answers", async () => {
    const r = await request("GET", "/api/v1/services", {});
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["x-frame-options"]).toBe("DENY");
    expect(r.headers["referrer-policy"]).toBe("same-origin");
    expect(r.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(r.headers["strict-transport-security"]).toBeDefined(); // the public URL is https
  });
});
