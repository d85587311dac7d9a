import "server-only";
import { z } from "zod";
import { badRequest } from "./errors";

import type { TimeWindow } from "../platform/time-window";
export type { TimeWindow };

const DEFAULT_WINDOW_MS = 15 * 60 * 1000;

/** Parses epoch milliseconds, RFC 3339, or `now`. Returns null for an absent value. */
export function parseInstant(raw: string | null, name: string, nowMs: number): number | null {
  if (raw === null || raw === "") return null;
  if (raw === "now") return nowMs;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Math.floor(Number(raw));
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw)) {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  throw badRequest(`${name}=${JSON.stringify(raw)} is not epoch milliseconds, RFC 3339 or "now"`);
}

/** `from`/`to` per the API contract: default last 15 minutes; from >= to is a 400. */
export function parseWindow(
  q: URLSearchParams,
  nowMs: number,
  names: { from: string; to: string } = { from: "from", to: "to" },
): TimeWindow {
  const toMs = parseInstant(q.get(names.to), names.to, nowMs) ?? nowMs;
  const fromMs = parseInstant(q.get(names.from), names.from, nowMs) ?? toMs - DEFAULT_WINDOW_MS;
  if (fromMs >= toMs) {
    throw badRequest(`${names.from} (${fromMs}) must be before ${names.to} (${toMs})`);
  }
  return { fromMs, toMs };
}

/** zod helper for optional numeric query parameters. */
export const optionalNumber = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: "custom", message: `expected a number, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });
