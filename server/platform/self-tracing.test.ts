import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";
import {
  getActiveTraceIds,
  getSelfTracingStatus,
  getTraceparent,
  recordSpan,
  startSelfTracing,
  withRemoteParent,
  withSpan,
} from "./self-tracing";
import { resolveSelfTraceTarget } from "./self-tracing-target";

describe("self-tracing configuration", () => {
  it("defaults to off at ratio 0.1", () => {
    const c = loadConfig({});
    expect(c.CARTOGRAPH_SELF_TRACES).toBe("off");
    expect(c.CARTOGRAPH_SELF_TRACES_RATIO).toBe(0.1);
    expect(resolveSelfTraceTarget(c)).toBeNull();
  });

  it("sends `self` to this process's OTLP/HTTP receiver, else to the API port's /v1/traces", () => {
    expect(
      resolveSelfTraceTarget(loadConfig({ CARTOGRAPH_SELF_TRACES: "self", CARTOGRAPH_OTLP_HTTP_PORT: "4400" })),
    ).toEqual({
      url: "http://127.0.0.1:4400/v1/traces",
      ratio: 0.1,
      self: true,
    });
    const apiOnly = loadConfig({
      CARTOGRAPH_SELF_TRACES: "self",
      CARTOGRAPH_OTLP_HTTP_PORT: "0",
      CARTOGRAPH_HOST: "::",
      CARTOGRAPH_SELF_TRACES_RATIO: "1",
    });
    expect(resolveSelfTraceTarget(apiOnly)).toEqual({ url: "http://[::1]:3000/v1/traces", ratio: 1, self: true });
  });

  it("sends to any OTLP/HTTP URL", () => {
    const c = loadConfig({
      CARTOGRAPH_SELF_TRACES: "https://tempo.example:4318/v1/traces",
      CARTOGRAPH_SELF_TRACES_RATIO: "0.5",
    });
    expect(resolveSelfTraceTarget(c)).toEqual({ url: "https://tempo.example:4318/v1/traces", ratio: 0.5, self: false });
  });

  it("rejects what it cannot use, naming the variable", () => {
    for (const env of [
      { CARTOGRAPH_SELF_TRACES: "on" },
      { CARTOGRAPH_SELF_TRACES: "grpc://collector:4317" },
      { CARTOGRAPH_SELF_TRACES_RATIO: "1.5" },
      { CARTOGRAPH_SELF_TRACES_RATIO: "half" },
      { CARTOGRAPH_SELF_TRACES: "self", CARTOGRAPH_OTLP_HTTP_PORT: "0", CARTOGRAPH_HTTP_PORT: "0" },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(
        Object.keys(env).at(-1) === "CARTOGRAPH_HTTP_PORT"
          ? /CARTOGRAPH_SELF_TRACES/
          : new RegExp(Object.keys(env)[0]!),
      );
    }
  });
});

describe("self-tracing off", () => {
  it("starts nothing and runs instrumented code unchanged", async () => {
    expect(await startSelfTracing(loadConfig({}), "main")).toBe(false);
    const seen: boolean[] = [];
    expect(withSpan("a", {}, (s) => (seen.push(s.recording), 41 + 1))).toBe(42);
    await expect(withSpan("b", {}, async (s) => (seen.push(s.recording), "done"))).resolves.toBe("done");
    expect(() =>
      withSpan("c", {}, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(
      withRemoteParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", () => getTraceparent()),
    ).toBeUndefined();
    recordSpan("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "x", 1, 2, {});
    expect(seen).toEqual([false, false]);
    expect(getActiveTraceIds()).toBeNull();
    expect(getSelfTracingStatus()).toEqual({
      enabled: false,
      url: null,
      spansStarted: 0,
      spansExported: 0,
      spansFailed: 0,
    });
  });
});
