/**
 * Authentication on (CARTOGRAPH_AUTH=on) through real HTTP: 401 without credentials, sign-in
 * with a session cookie, roles (403), API tokens created, used and revoked, the one-time setup
 * link, and no secret in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../helpers/start-server";

const ADMIN_PASSWORD = "correct horse battery staple";
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ env: { CARTOGRAPH_AUTH: "on", CARTOGRAPH_ADMIN_PASSWORD: ADMIN_PASSWORD } });
}, 120_000);
afterAll(async () => server?.stop());

interface Call {
  status: number;
  body: any;
  headers: Headers;
}

/** A JSON call as the UI makes it (same-origin Origin on mutations) with optional cookie or token. */
async function call(
  method: string,
  path: string,
  o: { body?: unknown; cookie?: string; token?: string; origin?: boolean } = {},
): Promise<Call> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (o.body !== undefined) headers["content-type"] = "application/json";
  if (o.cookie) headers.cookie = o.cookie;
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  if (o.origin !== false && method !== "GET") headers.origin = server.baseUrl;
  const res = await fetch(server.baseUrl + path, {
    method,
    headers,
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
    redirect: "manual",
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function login(username: string, password: string): Promise<string> {
  const r = await call("POST", "/api/v1/auth/login", { body: { username, password } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.headers.get("set-cookie")!.split(";")[0]!;
}

const RULE = {
  type: "service",
  name: "auth-probe",
  service: "checkout",
  signal: "error_rate",
  op: ">",
  threshold: 0.5,
};

describe("without credentials", () => {
  it("answers 401 JSON on every API read and mutation, never data", async () => {
    for (const [method, path, body] of [
      ["GET", "/api/v1/services"],
      ["GET", "/api/v1/service-map"],
      ["GET", "/api/v1/alert-rules"],
      ["POST", "/api/v1/alert-rules", RULE],
      ["GET", "/api/v1/access/users"],
    ] as const) {
      const r = await call(method, path, { body });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body).toEqual({ error: { code: "unauthenticated", message: expect.any(String) } });
      expect(r.headers.get("www-authenticate")).toContain("Bearer");
    }
  });

  it("answers 401 for a wrong or revoked-looking bearer token", async () => {
    expect((await call("GET", "/api/v1/services", { token: "cgt_not-a-real-token" })).status).toBe(401);
  });

  it("redirects UI navigation to /login (the API port without UI answers the rest as 404)", async () => {
    const res = await fetch(`${server.baseUrl}/map?x=1`, { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=%2Fmap%3Fx%3D1");
  });

  it("keeps health, readiness and the session probe public", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
    const s = await call("GET", "/api/v1/auth/session");
    expect(s.body).toMatchObject({ authEnabled: true, user: null, setupRequired: false });
  });
});

describe("sign-in and roles", () => {
  it("refuses a wrong password and signs in with the right one (HttpOnly, SameSite=Lax cookie)", async () => {
    const bad = await call("POST", "/api/v1/auth/login", { body: { username: "admin", password: "wrong password!!" } });
    expect(bad.status).toBe(401);
    const nobody = await call("POST", "/api/v1/auth/login", {
      body: { username: "nobody", password: "wrong password!!" },
    });
    expect(nobody.status).toBe(401);
    expect(nobody.body.error.message).toBe(bad.body.error.message);
    const ok = await call("POST", "/api/v1/auth/login", { body: { username: "admin", password: ADMIN_PASSWORD } });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^cartograph_session=[\w-]{40,};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // the public URL is http here
    const me = await call("GET", "/api/v1/auth/session", { cookie: cookie.split(";")[0] });
    expect(me.body.user).toMatchObject({ name: "admin", role: "admin" });
  });

  it("needs an Origin for cookie-authenticated mutations, then lets an editor change rules", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    const noOrigin = await call("POST", "/api/v1/alert-rules", { body: RULE, cookie: admin, origin: false });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.code).toBe("origin-required");
    expect((await call("POST", "/api/v1/alert-rules", { body: RULE, cookie: admin })).status).toBe(201);
  });

  it("gives a viewer reads and refuses writes and access management with 403", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    const created = await call("POST", "/api/v1/access/users", {
      body: { name: "vera", role: "viewer", password: "viewer password 1" },
      cookie: admin,
    });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty("passwordHash");
    const vera = await login("vera", "viewer password 1");
    expect((await call("GET", "/api/v1/alert-rules", { cookie: vera })).status).toBe(200);
    const write = await call("POST", "/api/v1/alert-rules", { body: { ...RULE, name: "by-viewer" }, cookie: vera });
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe("forbidden");
    expect((await call("GET", "/api/v1/access/users", { cookie: vera })).status).toBe(403);
    expect((await call("GET", "/api/v1/access/ingest-keys", { cookie: vera })).status).toBe(403);
    const rules = (await call("GET", "/api/v1/alert-rules", { cookie: admin })).body.rules.map(
      (r: { name: string }) => r.name,
    );
    expect(rules).not.toContain("by-viewer");
  });

  it("ends a session at logout and when the user's role changes", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    await call("POST", "/api/v1/access/users", {
      body: { name: "eddie", role: "editor", password: "editor password 1" },
      cookie: admin,
    });
    const eddie = await login("eddie", "editor password 1");
    expect((await call("GET", "/api/v1/services", { cookie: eddie })).status).toBe(200);
    expect(
      (await call("PATCH", "/api/v1/access/users/eddie", { body: { role: "viewer" }, cookie: admin })).status,
    ).toBe(200);
    expect((await call("GET", "/api/v1/services", { cookie: eddie })).status).toBe(401);
    const again = await login("eddie", "editor password 1");
    const out = await call("POST", "/api/v1/auth/logout", { body: {}, cookie: again });
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await call("GET", "/api/v1/services", { cookie: again })).status).toBe(401);
  });

  it("slows down password guessing: 429 with Retry-After after 10 failures for one user", async () => {
    for (let i = 0; i < 10; i++)
      expect(
        (await call("POST", "/api/v1/auth/login", { body: { username: "mallory", password: `guess ${i}` } })).status,
      ).toBe(401);
    const r = await call("POST", "/api/v1/auth/login", { body: { username: "mallory", password: "guess 10" } });
    expect(r.status).toBe(429);
    expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("refuses to delete or demote the last admin", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    expect(
      (await call("PATCH", "/api/v1/access/users/admin", { body: { role: "editor" }, cookie: admin })).status,
    ).toBe(409);
  });
});

describe("API tokens", () => {
  it("are shown once, work as Bearer, keep their role, and stop working when revoked", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    const made = await call("POST", "/api/v1/access/tokens", {
      body: { name: "ci check", role: "viewer" },
      cookie: admin,
    });
    expect(made.status).toBe(201);
    const token = made.body.token as string;
    expect(token).toMatch(/^cgt_[\w-]{43}$/);
    const list = await call("GET", "/api/v1/access/tokens", { cookie: admin });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(list.body.tokens).toEqual([
      expect.objectContaining({ name: "ci check", role: "viewer", user: "admin", prefix: token.slice(0, 10) }),
    ]);

    expect((await call("GET", "/api/v1/violations", { token })).status).toBe(200);
    // Tokens are not browser credentials: no Origin needed, but the viewer role still applies.
    const write = await call("POST", "/api/v1/alert-rules", {
      body: { ...RULE, name: "by-token" },
      token,
      origin: false,
    });
    expect(write.status).toBe(403);

    expect((await call("DELETE", `/api/v1/access/tokens/${made.body.id}`, { cookie: admin })).status).toBe(200);
    expect((await call("GET", "/api/v1/violations", { token })).status).toBe(401);
  });

  it("cannot carry more rights than their owner", async () => {
    const vera = await login("vera", "viewer password 1");
    const r = await call("POST", "/api/v1/access/tokens", { body: { name: "sneaky", role: "admin" }, cookie: vera });
    expect(r.status).toBe(403);
    const own = await call("POST", "/api/v1/access/tokens", { body: { name: "mine" }, cookie: vera });
    expect(own.body.role).toBe("viewer");
  });

  it("the cartograph check CLI sends --token (and CARTOGRAPH_TOKEN)", async () => {
    const admin = await login("admin", ADMIN_PASSWORD);
    const { token } = (
      await call("POST", "/api/v1/access/tokens", { body: { name: "cli", role: "viewer" }, cookie: admin })
    ).body;
    const { execFile } = await import("node:child_process");
    const run = (args: string[], env: Record<string, string> = {}) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        execFile(
          process.execPath,
          ["cli/cartograph.mjs", "check", "--url", server.baseUrl, ...args],
          { env: { ...process.env, ...env } },
          (err, stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
      });
    const without = await run([], { CARTOGRAPH_TOKEN: "" });
    expect(without.code).toBe(2);
    expect(without.out).toContain("401");
    expect((await run(["--token", token])).code).toBe(0);
    expect((await run([], { CARTOGRAPH_TOKEN: token })).code).toBe(0);
  });
});

describe("secrets stay out of the log", () => {
  it("never logs the admin password, a token or a session", () => {
    const log = server.output();
    expect(log).toContain("authentication on");
    expect(log).not.toContain(ADMIN_PASSWORD);
    expect(log).not.toMatch(/cgt_[\w-]{20,}/);
    expect(log).not.toMatch(/cartograph_session=/);
  });
});

describe("first admin through the setup link", () => {
  it("prints a one-time link when no user exists; it creates the admin once", async () => {
    const fresh = await startServer({ env: { CARTOGRAPH_AUTH: "on" } });
    try {
      const token = /\/setup#token=([\w-]+)/.exec(fresh.output())?.[1];
      expect(token).toBeDefined();
      // The link names the port this server listens on (no CARTOGRAPH_PUBLIC_URL is set).
      expect(fresh.output()).toContain(`http://localhost:${new URL(fresh.baseUrl).port}/setup#token=${token}`);
      const post = (body: unknown) =>
        fetch(`${fresh.baseUrl}/api/v1/auth/setup`, {
          method: "POST",
          headers: { "content-type": "application/json", origin: fresh.baseUrl },
          body: JSON.stringify(body),
        });
      expect((await (await fetch(`${fresh.baseUrl}/api/v1/auth/session`)).json()).setupRequired).toBe(true);
      expect((await post({ token: "guess", password: "a long enough password" })).status).toBe(403);
      expect((await post({ token, password: "short" })).status).toBe(400);
      const ok = await post({ token, password: "a long enough password" });
      expect(ok.status).toBe(201);
      expect(ok.headers.get("set-cookie")).toContain("cartograph_session=");
      expect((await post({ token, username: "second", password: "a long enough password" })).status).toBe(403);
      const session = await (
        await fetch(`${fresh.baseUrl}/api/v1/auth/session`, {
          headers: { cookie: ok.headers.get("set-cookie")!.split(";")[0]! },
        })
      ).json();
      expect(session.user).toMatchObject({ name: "admin", role: "admin" });
    } finally {
      await fresh.stop();
    }
  }, 120_000);
});
