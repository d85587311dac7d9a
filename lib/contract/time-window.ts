import { z } from "zod";
import type { TimeWindow } from "../time-range";

/**
 * Time windows of every read (API.md "Time windows"): `from` and `to` are epoch milliseconds,
 * RFC 3339, or `now`; default the last 15 minutes. This is the one place that defines them:
 * the router resolves a declared window with resolveTimeWindow, and the UI's {fromMs, toMs}
 * is the same TimeWindow type.
 */

export type { TimeWindow };

export const DEFAULT_WINDOW_MS = 15 * 60 * 1000;

/** An instant as sent: epoch ms, RFC 3339 or `now`. Parsed to epoch ms, or "now". */
export const instantSchema = z
  .string()
  .transform((raw, ctx): number | "now" | undefined => {
    if (raw === "") return undefined;
    if (raw === "now") return "now";
    // Epoch ms have 13 digits until the year 2286: more (or ±Infinity) is not a time.
    if (/^-\d+(\.\d+)?$/.test(raw)) {
      ctx.addIssue({ code: "custom", message: `${quote(raw)} is before 1970` });
      return z.NEVER;
    }
    if (/^\d{1,15}(\.\d+)?$/.test(raw)) return Math.floor(Number(raw));
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(raw)) {
      const ms = Date.parse(raw);
      if (ms < 0) {
        ctx.addIssue({ code: "custom", message: `${quote(raw)} is before 1970` });
        return z.NEVER;
      }
      if (Number.isFinite(ms)) return ms;
    }
    ctx.addIssue({ code: "custom", message: `${quote(raw)} is not epoch milliseconds, RFC 3339 or "now"` });
    return z.NEVER;
  })
  .meta({ description: "epoch milliseconds, RFC 3339, or `now`", example: "now" });
export type Instant = number | "now" | undefined;

function quote(raw: string): string {
  return JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + "…" : raw);
}

/** `to`/`from` may run ahead of the server's clock by this much (clock skew), no more. */
export const MAX_FUTURE_MS = 24 * 3600_000;

/** `from` and `to` query parameters; spread into a route's query schema. */
export const windowQuery = {
  from: instantSchema.optional().meta({ description: "epoch ms, RFC 3339 or `now`; default `to` − 15 min" }),
  to: instantSchema.optional().meta({ description: "epoch ms, RFC 3339 or `now`; default now" }),
};

export type WindowResult = { ok: true; window: TimeWindow } | { ok: false; message: string };

/**
 * The window of parsed `from`/`to` at `nowMs`: defaults applied, `from < to` required, `to` at
 * most MAX_FUTURE_MS ahead, the window at most `maxWindowMs` (the server passes its retention).
 * `names` are the parameters' names, for the message (e.g. baselineFrom/baselineTo). Pure.
 */
export function resolveTimeWindow(
  from: Instant,
  to: Instant,
  nowMs: number,
  names: { from: string; to: string } = { from: "from", to: "to" },
  defaultMs = DEFAULT_WINDOW_MS,
  maxWindowMs = Infinity,
): WindowResult {
  const toMs = to === "now" || to === undefined ? nowMs : to;
  const fromMs = from === "now" ? nowMs : from === undefined ? Math.max(0, toMs - defaultMs) : from;
  if (toMs > nowMs + MAX_FUTURE_MS)
    return { ok: false, message: `${names.to} (${toMs}) is more than 24 hours in the future` };
  if (fromMs >= toMs) return { ok: false, message: `${names.from} (${fromMs}) must be before ${names.to} (${toMs})` };
  if (toMs - fromMs > maxWindowMs) {
    const days = (ms: number) => Math.round((ms / 86_400_000) * 10) / 10;
    return {
      ok: false,
      message: `${names.from}..${names.to} spans ${days(toMs - fromMs)} days, more than the retention of ${days(maxWindowMs)} days; ask for a shorter window`,
    };
  }
  return { ok: true, window: { fromMs, toMs } };
}
