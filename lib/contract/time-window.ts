import { z } from "zod";

/**
 * Time windows of every read (API.md "Time windows"): `from` and `to` are epoch milliseconds,
 * RFC 3339, or `now`; default the last 15 minutes. This is the one place that defines them:
 * the router resolves a declared window with resolveTimeWindow, and the UI's {fromMs, toMs}
 * is the same TimeWindow type.
 */

/** A half-open time window [fromMs, toMs) in epoch milliseconds. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export const DEFAULT_WINDOW_MS = 15 * 60 * 1000;

/** An instant as sent: epoch ms, RFC 3339 or `now`. Parsed to epoch ms, or "now". */
export const instantSchema = z
  .string()
  .transform((raw, ctx): number | "now" | undefined => {
    if (raw === "") return undefined;
    if (raw === "now") return "now";
    if (/^-?\d+(\.\d+)?$/.test(raw)) return Math.floor(Number(raw));
    if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
      const ms = Date.parse(raw);
      if (!Number.isNaN(ms)) return ms;
    }
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(raw)} is not epoch milliseconds, RFC 3339 or "now"` });
    return z.NEVER;
  })
  .meta({ description: "epoch milliseconds, RFC 3339, or `now`", example: "now" });
export type Instant = number | "now" | undefined;

/** `from` and `to` query parameters; spread into a route's query schema. */
export const windowQuery = {
  from: instantSchema.optional().meta({ description: "epoch ms, RFC 3339 or `now`; default `to` − 15 min" }),
  to: instantSchema.optional().meta({ description: "epoch ms, RFC 3339 or `now`; default now" }),
};

export type WindowResult = { ok: true; window: TimeWindow } | { ok: false; message: string };

/**
 * The window of parsed `from`/`to` at `nowMs`: defaults applied, `from < to` required.
 * `names` are the parameters' names, for the message (e.g. baselineFrom/baselineTo). Pure.
 */
export function resolveTimeWindow(
  from: Instant,
  to: Instant,
  nowMs: number,
  names: { from: string; to: string } = { from: "from", to: "to" },
  defaultMs = DEFAULT_WINDOW_MS,
): WindowResult {
  const toMs = to === "now" || to === undefined ? nowMs : to;
  const fromMs = from === "now" ? nowMs : from === undefined ? toMs - defaultMs : from;
  if (fromMs >= toMs) return { ok: false, message: `${names.from} (${fromMs}) must be before ${names.to} (${toMs})` };
  return { ok: true, window: { fromMs, toMs } };
}
