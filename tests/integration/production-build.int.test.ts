import { execFileSync } from "node:child_process";
import { readFileSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isServerBuildStale, SERVER_ENTRIES } from "../../scripts/build/build-server.mjs";
import { TraceRequest } from "../../server/decode";
import { eventually, startServer, type RunningServer } from "../helpers/start-server";

/**
 * What `npm start` runs in production: the server compiled into dist/ by
 * scripts/build/build-server.mjs, started by scripts/launch.mjs with no TypeScript loader,
 * its writer and query threads loaded from their own compiled bundles.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
let server: RunningServer;

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build/build-server.mjs"], { cwd: ROOT, stdio: "pipe" });
  server = await startServer({ nodeArgs: ["scripts/launch.mjs"], readyTimeoutMs: 90_000 });
});
afterAll(async () => {
  await server?.stop();
});

describe("production build", () => {
  it("compiles every entry into JavaScript that needs no TypeScript loader", () => {
    for (const entry of SERVER_ENTRIES) {
      const js = readFileSync(path.join(ROOT, "dist", entry.replace(/\.ts$/, ".js")), "utf8");
      expect(js).not.toMatch(/["']tsx(\/[^"']*)?["']/);
    }
    expect(server.process.spawnargs).not.toContain("--import");
  });

  it("stores a span through the compiled writer thread and answers from the compiled query thread", async () => {
    const traceId = Buffer.alloc(16, 0x5a);
    const now = BigInt(Date.now()) * 1_000_000n;
    const body = TraceRequest.encode(
      TraceRequest.fromObject({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "compiled" } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: Buffer.alloc(8, 1),
                    name: "GET /built",
                    kind: 2,
                    startTimeUnixNano: String(now),
                    endTimeUnixNano: String(now + 5_000_000n),
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    const res = await fetch(`${server.otlpHttpUrl}/v1/traces`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: Buffer.from(body),
    });
    expect(res.status).toBe(200);
    const trace = await server.get(`/api/v1/traces/${traceId.toString("hex")}`);
    expect(JSON.stringify(trace)).toContain("GET /built");
    // The query thread starts beside the main thread; once up, read-only queries run there.
    await eventually(
      async () => {
        const r = await fetch(`${server.baseUrl}/api/v1/services`);
        return r.headers.get("x-cartograph-thread") === "query" && JSON.stringify(await r.json()).includes("compiled");
      },
      60_000,
      "a services answer from the compiled query thread",
    );
  });

  it("compiles every worker thread the server starts, and starts each through resolveWorkerEntry", () => {
    const sources = execFileSync("git", ["ls-files", "server/*.ts"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    const workers: string[] = [];
    for (const file of sources) {
      const text = readFileSync(path.join(ROOT, file), "utf8");
      // A worker started from a path next to its source file would not exist in dist/.
      expect(text, file).not.toMatch(/new Worker\(\s*new URL\(/);
      for (const m of text.matchAll(/resolveWorkerEntry\(\s*"([^"]+)"/g)) workers.push(m[1]!);
    }
    expect(workers.length).toBeGreaterThanOrEqual(3);
    for (const w of workers) expect(SERVER_ENTRIES).toContain(w);
  });

  it("is rebuilt by npm start when a source is newer than the build", () => {
    expect(isServerBuildStale(ROOT)).toBe(false);
    const source = path.join(ROOT, "server/main.ts");
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 60_000));
      expect(isServerBuildStale(ROOT)).toBe(true);
    } finally {
      utimesSync(source, atime, mtime);
    }
  });
});
