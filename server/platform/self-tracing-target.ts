import "server-only";
import type { Config } from "./config";

/** Where self-traces go; null when self-tracing is off. */
export interface SelfTraceTarget {
  url: string;
  /** Head-sampling ratio for root operations. */
  ratio: number;
  /** True when the target is this process's own receiver (`self`). */
  self: boolean;
}

/**
 * Slots of the counters every thread of the process shares (a SharedArrayBuffer of BigInt64):
 * spans started / exported / failed, and whether the process's receivers listen yet.
 */
export const SELF_TRACE_SLOT = { started: 0, exported: 1, failed: 2, receiverReady: 3 } as const;
export const SELF_TRACE_SLOTS = 4;

/** Request header that marks an export of self-traces; such requests are never traced themselves. */
export const SELF_TRACE_HEADER = "x-cartograph-self-trace";

/** The address a client in this process uses to reach a listener bound to `host`. */
function loopbackFor(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Decides the export target from the configuration (pure). `self` prefers the dedicated
 * OTLP/HTTP port and falls back to the `/v1/traces` route of the UI/API port.
 */
export function resolveSelfTraceTarget(config: Config): SelfTraceTarget | null {
  const mode = config.CARTOGRAPH_SELF_TRACES;
  const ratio = config.CARTOGRAPH_SELF_TRACES_RATIO;
  if (mode === "off") return null;
  if (mode !== "self") return { url: mode, ratio, self: false };
  const port = config.CARTOGRAPH_OTLP_HTTP_PORT || config.CARTOGRAPH_HTTP_PORT;
  if (!port)
    throw new Error(
      "CARTOGRAPH_SELF_TRACES=self needs an OTLP/HTTP receiver (CARTOGRAPH_OTLP_HTTP_PORT or CARTOGRAPH_HTTP_PORT)",
    );
  return {
    url: `http://${loopbackFor(config.CARTOGRAPH_HOST)}:${port}${config.CARTOGRAPH_OTLP_TRACES_PATH}`,
    ratio,
    self: true,
  };
}
