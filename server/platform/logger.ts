import "server-only";
import { getActiveTraceIds } from "./self-tracing";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Line-oriented logger: `level message key=value ...` on stderr (info and up also on stdout).
 * A line written while a sampled self-traced operation runs ends with its trace_id and span_id.
 */
export function createLogger(level: LogLevel = "info", name = "cartograph"): Logger {
  const min = ORDER[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    const ids = getActiveTraceIds();
    if (ids) fields = { ...fields, trace_id: ids.traceId, span_id: ids.spanId };
    const extra = fields
      ? " " +
        Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(
            ([k, v]) =>
              `${k}=${typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x))}`,
          )
          .join(" ")
      : "";
    const line = `${new Date().toISOString()} ${lvl.padEnd(5)} [${name}] ${msg}${extra}\n`;
    (lvl === "error" || lvl === "warn" ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
  };
}
