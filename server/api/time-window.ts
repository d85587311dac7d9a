import "server-only";
import { instantSchema, resolveTimeWindow, type Instant, type TimeWindow } from "../../lib/contract";
import { badRequest } from "./errors";
import type { Config } from "../platform/config";

export type { TimeWindow };

/**
 * The one server-side resolution of a time window (API.md "Time windows"): parsed `from`/`to`
 * (the contract's instantSchema) at `nowMs`, defaults applied, 400 naming the parameter.
 */
export function resolveWindow(
  from: Instant,
  to: Instant,
  nowMs: number,
  options: { names?: { from: string; to: string }; defaultMs?: number; maxWindowMs?: number } = {},
): TimeWindow {
  const r = resolveTimeWindow(from, to, nowMs, options.names, options.defaultMs, options.maxWindowMs);
  if (!r.ok) throw badRequest(r.message);
  return r.window;
}

/** Parses one instant the way query parameters are parsed; 400 naming it when it is not one. */
export function parseInstant(raw: unknown, name: string): Instant {
  if (raw === undefined || raw === null) return undefined;
  const r = instantSchema.safeParse(String(raw));
  if (!r.success) throw badRequest(`${name}: ${r.error.issues[0]?.message ?? "not an instant"}`);
  return r.data;
}

/** The longest window a read may ask for: the longest retention (older data is gone anyway). */
export function maxWindowMs(
  config: Pick<Config, "CARTOGRAPH_RETENTION_RAW_HOURS" | "CARTOGRAPH_RETENTION_ROLLUP_HOURS">,
): number {
  return Math.max(config.CARTOGRAPH_RETENTION_RAW_HOURS, config.CARTOGRAPH_RETENTION_ROLLUP_HOURS) * 3_600_000;
}
