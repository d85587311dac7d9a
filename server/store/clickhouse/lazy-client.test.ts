import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The embedded store's processes never load @clickhouse/client: importing the store stage
 * leaves it out of the module cache; opening a ClickHouse store brings it in (so the probe
 * can tell). Runs in a fresh Node process, as the server's threads do.
 */
describe("ClickHouse client loading", () => {
  it("is loaded only when a ClickHouse store is opened", () => {
    const probe = `
      import { createRequire } from "node:module";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("@clickhouse"));
      const store = await import("./server/store/index.ts");
      const before = loaded();
      const ch = store.openClickHouseStore({ urls: ["http://127.0.0.1:9"], database: "x", user: "default", password: "", cluster: null });
      const after = loaded();
      await ch.close();
      console.log(JSON.stringify({ before, after }));`;
    const r = spawnSync(
      process.execPath,
      ["--import", "./scripts/runtime/register.mjs", "--input-type=module", "-e", probe],
      { cwd: ROOT, encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({ before: false, after: true });
  });
});
