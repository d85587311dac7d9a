import { describe, expect, it } from "vitest";
import {
  buildHostAllowList,
  checkHost,
  checkMutation,
  isLoopbackHost,
  parseHostHeader,
  resolveAuthEnabled,
} from "./request-guard";

describe("auto authentication", () => {
  it("is off only on loopback binds", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "localhost"])
      expect(resolveAuthEnabled("auto", h), h).toBe(false);
    for (const h of ["0.0.0.0", "::", "10.0.0.5", "cartograph.internal"])
      expect(resolveAuthEnabled("auto", h), h).toBe(true);
    expect(resolveAuthEnabled("on", "127.0.0.1")).toBe(true);
    expect(resolveAuthEnabled("off", "0.0.0.0")).toBe(false);
  });
  it("recognises loopback spellings", () => {
    expect(isLoopbackHost("[::1]")).toBe(true);
    expect(isLoopbackHost("app.localhost")).toBe(true);
    expect(isLoopbackHost("localhost.evil.example")).toBe(false);
  });
});

describe("Host allow-list", () => {
  const allow = buildHostAllowList("Cartograph.Internal:3000, *.corp.example", "https://dash.example.org/base");
  it("passes loopback, IP literals, the public host and listed names", () => {
    for (const h of [
      "localhost:3000",
      "127.0.0.1",
      "[::1]:3000",
      "192.168.1.9:3000",
      "[fe80::1]",
      "dash.example.org",
      "cartograph.internal",
      "x.corp.example",
      "dash.example.org.",
    ]) {
      expect(checkHost(h, allow), h).toBeNull();
    }
  });
  it("refuses other names, suffix look-alikes and malformed values with 421", () => {
    for (const h of [
      undefined,
      "",
      "evil.example",
      "corp.example",
      "evilcorp.example",
      "dash.example.org.evil",
      "a b",
      "h:99999",
      "user@host",
    ]) {
      expect(checkHost(h, allow)?.status, String(h)).toBe(421);
    }
    expect(parseHostHeader("Example.COM:80")).toBe("example.com");
  });
});

describe("mutation checks", () => {
  const pub = "https://dash.example.org";
  const base = { method: "POST", host: "127.0.0.1:3000", contentType: "application/json", contentLength: "2" };
  it("lets reads through untouched", () => {
    expect(checkMutation({ method: "GET", origin: "http://evil.example" }, pub, true)).toBeNull();
  });
  it("needs JSON on body-carrying mutations", () => {
    expect(checkMutation({ ...base, contentType: "text/plain" }, pub, false)?.code).toBe("json-required");
    expect(checkMutation({ ...base, contentType: undefined }, pub, false)?.code).toBe("json-required");
    expect(checkMutation({ method: "DELETE", host: base.host }, pub, false)).toBeNull();
    expect(
      checkMutation({ method: "DELETE", host: base.host, contentLength: "5", contentType: "text/plain" }, pub, false)
        ?.code,
    ).toBe("json-required");
  });
  it("accepts same-origin proofs and refuses foreign ones", () => {
    expect(checkMutation({ ...base, origin: "http://127.0.0.1:3000" }, pub, true)).toBeNull();
    expect(checkMutation({ ...base, origin: "https://dash.example.org" }, pub, true)).toBeNull();
    expect(checkMutation({ ...base, secFetchSite: "same-origin" }, pub, true)).toBeNull();
    expect(checkMutation({ ...base, origin: "http://127.0.0.1:3001" }, pub, false)?.status).toBe(403);
    expect(checkMutation({ ...base, origin: "null" }, pub, false)?.status).toBe(403);
    expect(
      checkMutation({ ...base, origin: "http://127.0.0.1:3000", secFetchSite: "cross-site" }, pub, false)?.code,
    ).toBe("cross-site-request");
  });
  it("lets header-less clients through unless they carry the session cookie", () => {
    expect(checkMutation(base, pub, false)).toBeNull();
    expect(checkMutation(base, pub, true)?.code).toBe("origin-required");
  });
});
