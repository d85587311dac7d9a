import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { buildPrefetchScript, describePrefetchKey } from "./prefetch";

/** Runs the inline script as a page would, returning the URLs it fetched and its keys. */
function runScript(search: string) {
  const fetched: string[] = [];
  const window: { __cartographPrefetch?: Record<string, unknown> } = {};
  const script = buildPrefetchScript(
    [
      ["/api/v1/services", "both"],
      ["/api/v1/service-map/summary", "scoped"],
    ],
    ["focus"],
  );
  runInNewContext(script, {
    window,
    location: { search },
    URLSearchParams,
    Date,
    String,
    fetch: (url: string) => {
      fetched.push(url);
      return Promise.resolve(null);
    },
  });
  return { fetched, keys: Object.keys(window.__cartographPrefetch ?? {}) };
}

describe("the map page's prefetch script", () => {
  it("keys each read as fetchJson will look it up (same path, parameters and window length)", () => {
    const { fetched, keys } = runScript("?env=prod&namespace=shop&node=service%3Aa");
    expect(fetched).toHaveLength(3);
    for (const url of fetched) {
      const u = new URL(url, "http://x");
      expect(keys).toContain(describePrefetchKey(u.pathname, u.searchParams));
    }
    // The hook's own URL for the scoped map (parameters in another order) finds the same key.
    const hook = new URLSearchParams({ from: "1000", to: String(1000 + 15 * 60_000), environment: "prod" });
    hook.set("namespace", "shop");
    expect(keys).toContain(describePrefetchKey("/api/v1/service-map/summary", hook));
    // The environment picker's unscoped services list too; no unscoped map (nothing would read it).
    expect(keys).toContain(describePrefetchKey("/api/v1/services", new URLSearchParams({ from: "0", to: "900000" })));
    expect(fetched.filter((f) => f.startsWith("/api/v1/service-map/summary?"))).toHaveLength(1);
  });

  it("prefetches nothing when the first reads would not match (a chosen range, a focus)", () => {
    expect(runScript("?from=now-1h&to=now").fetched).toEqual([]);
    expect(runScript("?focus=service%3Acheckout").fetched).toEqual([]);
    expect(runScript("").fetched).toEqual([
      expect.stringMatching(/^\/api\/v1\/services\?from=\d+&to=\d+$/),
      expect.stringMatching(/^\/api\/v1\/service-map\/summary\?from=\d+&to=\d+$/),
    ]);
  });
});
