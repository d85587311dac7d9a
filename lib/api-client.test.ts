import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiRequestError, buildApiUrl, fetchJson, sendJson } from "./api-client";

describe("api client", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("builds relative URLs and skips empty params", () => {
    expect(buildApiUrl("traces", { service: "a b", status: "", limit: 5, attr: undefined })).toBe(
      "/api/v1/traces?service=a+b&limit=5",
    );
  });

  it("throws the API's error message", async () => {
    vi.stubGlobal(
      "fetch",
      async () =>
        new Response(JSON.stringify({ error: { code: "bad-request", message: "from must be before to" } }), {
          status: 400,
        }),
    );
    await expect(fetchJson("services")).rejects.toMatchObject({
      status: 400,
      code: "bad-request",
      message: "from must be before to",
    });
  });

  it("names the status when the body is not the API's error shape", async () => {
    vi.stubGlobal("fetch", async () => new Response("upstream down", { status: 502 }));
    const err = await fetchJson("services").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as Error).message).toBe("HTTP 502: upstream down");
  });

  it("sends mutations as JSON and carries a 400's field errors for the form", async () => {
    const seen: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
      seen.push({ url, init });
      const fields = [{ path: "settings.url", message: "must be an http(s) URL" }];
      return new Response(
        JSON.stringify({
          error: { code: "invalid-body", message: "settings.url: must be an http(s) URL", details: { fields } },
        }),
        { status: 400 },
      );
    });
    const err = await sendJson("POST", "notification-channels", { name: "x" }).catch((e: unknown) => e);
    expect(seen[0]!.url).toBe("/api/v1/notification-channels");
    expect(seen[0]!.init.method).toBe("POST");
    expect(new Headers(seen[0]!.init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(String(seen[0]!.init.body))).toEqual({ name: "x" });
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as ApiRequestError).fields).toEqual([{ path: "settings.url", message: "must be an http(s) URL" }]);
  });
});
