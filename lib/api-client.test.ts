import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiRequestError, buildApiUrl, fetchJson } from "./api-client";

describe("api client", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("builds relative URLs and skips empty params", () => {
    expect(buildApiUrl("traces", { service: "a b", status: "", limit: 5, attr: undefined })).toBe("/api/v1/traces?service=a+b&limit=5");
  });

  it("throws the API's error message", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ error: { code: "bad-request", message: "from must be before to" } }), { status: 400 }));
    await expect(fetchJson("services")).rejects.toMatchObject({ status: 400, code: "bad-request", message: "from must be before to" });
  });

  it("names the status when the body is not the API's error shape", async () => {
    vi.stubGlobal("fetch", async () => new Response("upstream down", { status: 502 }));
    const err = await fetchJson("services").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiRequestError);
    expect((err as Error).message).toBe("HTTP 502: upstream down");
  });
});
