import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config";
import {
  flushSelfTracing,
  getSelfTracingStatus,
  getTraceparent,
  isSelfTraceContextActive,
  startSelfTracing,
  withRemoteParent,
  withSpan,
} from "./self-tracing";

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

// Self-tracing starts once per process (a vitest file runs in its own worker).
describe("self-tracing head sampling at ratio 0.25", () => {
  const received: number[] = [];
  let sink: http.Server;
  beforeAll(async () => {
    sink = http.createServer((req, res) => {
      let bytes = 0;
      req.on("data", (d: Buffer) => (bytes += d.length));
      req.on("end", () => (received.push(bytes), res.writeHead(200).end("{}")));
    });
    await new Promise<void>((r) => sink.listen(0, "127.0.0.1", () => r()));
    const port = (sink.address() as { port: number }).port;
    const config = loadConfig({
      CARTOGRAPH_SELF_TRACES: `http://127.0.0.1:${port}/v1/traces`,
      CARTOGRAPH_SELF_TRACES_RATIO: "0.25",
    });
    expect(await startSelfTracing(config, "main")).toBe(true);
  });
  afterAll(() => new Promise<void>((r) => sink.close(() => r())));

  it("traces about a quarter of the roots, each with its children, and nothing under the others", async () => {
    let sampledRoots = 0;
    for (let i = 0; i < 4000; i++) {
      withSpan(
        "root",
        {},
        (root) => {
          const traceparent = getTraceparent();
          withSpan("child", {}, (child) => {
            // A child is recorded exactly when its root is, in the same trace.
            expect(child.recording).toBe(root.recording);
            expect(getTraceparent()?.slice(3, 35)).toBe(traceparent?.slice(3, 35));
          });
          if (root.recording) {
            sampledRoots++;
            expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
          } else expect(traceparent).toBeUndefined();
        },
        { root: true },
      );
    }
    // Binomial(4000, 0.25): mean 1000, standard deviation 27.
    expect(sampledRoots).toBeGreaterThan(850);
    expect(sampledRoots).toBeLessThan(1150);
    expect(getSelfTracingStatus().spansStarted).toBe(2 * sampledRoots);
    await flushSelfTracing(5000);
    expect(getSelfTracingStatus().spansExported).toBe(2 * sampledRoots);
    expect(received.length).toBeGreaterThan(0);
  });

  it("never starts a trace for work that may only join one", () => {
    const recorded = Array.from({ length: 200 }, () => withSpan("job part", {}, (s) => s.recording));
    expect(recorded.every((r) => r === false)).toBe(true);
  });

  it("enters a context only for sampled work, and leaves none behind once it settles", async () => {
    const seen = { sampled: 0, unsampled: 0 };
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withSpan(
          "request",
          {},
          async (root) => {
            await tick();
            // An unsampled request runs with no context; a sampled one keeps it across awaits.
            if (root.recording) {
              expect(isSelfTraceContextActive()).toBe(true);
              expect(getTraceparent()).toBeDefined();
              seen.sampled++;
            } else {
              expect(getTraceparent()).toBeUndefined();
              seen.unsampled++;
            }
            await withSpan("child", {}, async (child) => {
              await tick();
              expect(child.recording).toBe(root.recording);
            });
          },
          { root: true },
        ),
      ),
    );
    expect(seen.sampled + seen.unsampled).toBe(40);
    expect(isSelfTraceContextActive()).toBe(false);
    // Work another thread sent under a sampled trace, and work it sent untraced.
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await withRemoteParent(parent, async () => {
      await tick();
      expect(isSelfTraceContextActive()).toBe(true);
      expect(getTraceparent()?.slice(3, 35)).toBe("0af7651916cd43dd8448eb211c80319c");
    });
    await withRemoteParent(undefined, async () => {
      await tick();
      expect(isSelfTraceContextActive()).toBe(false);
      expect(withSpan("x", {}, (s) => s.recording)).toBe(false);
    });
    expect(isSelfTraceContextActive()).toBe(false);
  });
  it("carries an explicit request's span by hand: children and traceparent, never a context", async () => {
    const started = getSelfTracingStatus().spansStarted;
    let sampled = 0;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        withSpan(
          "ingest",
          {},
          async (root) => {
            await tick();
            // The ingest path's hot work runs with no context even when its request is sampled.
            expect(isSelfTraceContextActive()).toBe(false);
            expect(getTraceparent()).toBeUndefined();
            await root.child("ingest.read", {}, async (read) => {
              await tick();
              expect(read.recording).toBe(root.recording);
              // The child's traceparent names the request's trace and the child's own span.
              if (read.recording) expect(read.traceparent?.slice(0, 35)).toBe(root.traceparent?.slice(0, 35));
              else expect(read.traceparent).toBeUndefined();
              expect(withSpan("deeper", {}, (s) => s.recording)).toBe(false);
            });
            if (root.recording) {
              sampled++;
              expect(root.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
            } else expect(root.traceparent).toBeUndefined();
          },
          { root: true, explicit: true },
        ),
      ),
    );
    expect(sampled).toBeGreaterThan(0);
    expect(getSelfTracingStatus().spansStarted - started).toBe(2 * sampled);
    expect(isSelfTraceContextActive()).toBe(false);
  });
});
