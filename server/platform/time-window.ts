import "server-only";

/** A half-open time window [fromMs, toMs) in epoch milliseconds (defined once, in lib/time-range). */
export type { TimeWindow } from "../../lib/time-range";
