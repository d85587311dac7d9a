import "server-only";
import type { Db } from "./open";
import type { LogCountRow, LogFilter } from "../telemetry-store";
import { compileFilter, currentIndexMatch, severityTagsFrom, sourcesOf, type CompiledFilter } from "./logs-filter";
import { hasLegacyLogIds, ID_CEIL_MS, ID_FLOOR_MS, logIdRange, readOvershoot, SLOTS_PER_MS } from "./logs-ids";
import { hashText } from "./logs-append";
import { readTextIndexes, serviceTag, TEXT_TABLE } from "./logs-text-index";
import { addFromTermMinutes, singleWordOf } from "./logs-term-count";
import { SAMPLE_SCALE, sampleCondition, sampleKeep } from "./logs-sample";

export type { LogCountRow } from "../telemetry-store";

const MINUTE_NS = 60_000_000_000n;
const MS_NS = 1_000_000n;

/** Counts per (step index, severity range), steps counted from `originNs`. */
class Buckets {
  private readonly rows = new Map<string, LogCountRow>();
  constructor(
    private readonly originMs: number,
    private readonly stepMs: number,
  ) {}
  add(b: number, severityRange: number, n: number): void {
    if (b < 0 || n === 0) return;
    const key = `${b}.${severityRange}`;
    const row = this.rows.get(key);
    if (row) row.count += n;
    else this.rows.set(key, { t: this.originMs + b * this.stepMs, severityRange, count: n });
  }
  list(): LogCountRow[] {
    return [...this.rows.values()];
  }
}

/** Severity numbers of a range: 0 is every number below 1, 6 is 21 and above. */
function rangeSeverities(range: number): [number, number] {
  return range === 0 ? [0, 0] : [range * 4 - 3, range === 6 ? 24 : range * 4];
}

const hasRowFilters = (f: LogFilter) => Boolean(f.attributes?.length || f.traceId || f.spanId);
const isRangeStart = (min: number | undefined) => min === undefined || (min <= 21 && (min - 1) % 4 === 0);

/**
 * Counts per step and severity range, exactly as the matching rows would count:
 * - without text and row-level filters, whole minutes come from the minute counts
 *   (log_minute) when steps fall on minutes and the minimum severity starts a range; the
 *   last, partial minute of the window is counted like the rest below;
 * - with one word as the text (no service or row-level filter), whole minutes likewise come
 *   from the word's minute counts when it is tracked (logs-terms.ts, logs-term-count.ts);
 * - else, on the current text index (logs-text-index.ts), from the posting lists alone: one
 *   query per severity range with lines in the window's minutes (its tags), each line's step
 *   read from its row id (ids follow time: logs-ids.ts) and its row read only when the id
 *   cannot tell (a step edge within the largest overshoot); never the rows of a whole window.
 *   (Measured on 10M lines: one `count(*)` per step instead costs ~1 ms of FTS5 set-up per
 *   query, several times more than it saves; a simpler per-line step expression saved ~15 %
 *   on a common word and cost more with tags: neither kept.)
 * - else (attribute / trace filters, a possible service-tag collision, lines in the old
 *   index), by reading the matching rows.
 */
export function countLogs(db: Db, f: LogFilter, stepMs: number): LogCountRow[] {
  return countLogsWithin(db, f, stepMs, Infinity).rows;
}

/**
 * countLogs reading at most about `rowBudget` log rows: where counting would read the rows
 * of more text matches than that (attribute or trace filters), a pseudo-random share of the
 * matches is counted and scaled (logs-sample.ts), and `approximate` is true. Everything
 * else is exact as countLogs.
 */
export function countLogsWithin(
  db: Db,
  f: LogFilter,
  stepMs: number,
  rowBudget: number,
): { rows: LogCountRow[]; approximate: boolean } {
  const originMs = Number(f.fromNs / MS_NS);
  const out = new Buckets(originMs, stepMs);
  const stepNs = BigInt(stepMs) * MS_NS;
  const c = compileFilter(f);
  const onMinutes =
    !hasRowFilters(f) && isRangeStart(c.minSeverity) && stepMs % 60_000 === 0 && f.fromNs % MINUTE_NS === 0n;
  const fromMin = Number(f.fromNs / MINUTE_NS);
  const toMin = Number(f.toNs / MINUTE_NS);
  let approximate = false;
  // What the minute counts leave: [f.fromNs, headEnd) and [tailStart, f.toNs).
  let headEnd = f.fromNs;
  let tailStart = f.fromNs;
  if (onMinutes && toMin > fromMin && c.terms === undefined) {
    addFromMinutes(db, c, fromMin, toMin, originMs, stepMs, out);
    tailStart = BigInt(toMin) * MINUTE_NS;
  } else if (onMinutes && toMin > fromMin && !c.service) {
    const word = singleWordOf(db, c);
    const minRange = c.minSeverity === undefined ? undefined : Math.floor((c.minSeverity - 1) / 4) + 1;
    const add = (b: number, sr: number, n: number) => out.add(b, sr, n);
    const start = word === null ? null : addFromTermMinutes(db, word, minRange, fromMin, toMin, originMs, stepMs, add);
    if (start !== null) {
      headEnd = BigInt(start) * MINUTE_NS;
      tailStart = BigInt(toMin) * MINUTE_NS;
    }
  }
  for (const [from, to] of [
    [f.fromNs, headEnd],
    [tailStart, f.toNs],
  ] as const) {
    if (from >= to) continue;
    if (!addFromIds(db, f, c, from, to, stepNs, out))
      approximate = addFromRows(db, c, from, to, f.fromNs, stepNs, out, rowBudget) || approximate;
  }
  return { rows: out.list(), approximate };
}

/** The log_minute conditions for a filter without text: minutes [fromMin, toMin), service, severity ranges. */
function selectMinuteCounts(c: CompiledFilter, fromMin: bigint, toMin: bigint): { where: string[]; args: unknown[] } {
  const where = ["minute >= ?", "minute < ?"];
  const args: unknown[] = [fromMin, toMin];
  if (c.service) {
    where.push("service = ?");
    args.push(c.service);
  }
  if (c.minSeverity !== undefined) {
    where.push("severity_range >= ?");
    args.push(BigInt(Math.floor((c.minSeverity - 1) / 4) + 1));
  }
  return { where, args };
}

function addFromMinutes(
  db: Db,
  c: CompiledFilter,
  fromMin: number,
  toMin: number,
  originMs: number,
  stepMs: number,
  out: Buckets,
): void {
  const { where, args } = selectMinuteCounts(c, BigInt(fromMin), BigInt(toMin));
  // Integers bound as bigint: better-sqlite3 binds a number as REAL, which made the division
  // fractional (a 5-minute step came back as one bucket per minute).
  const rows = db
    .prepare(
      `SELECT ((minute - ?) / ?) AS b, severity_range AS sr, sum(count) AS n FROM log_minute WHERE ${where.join(" AND ")} GROUP BY b, sr`,
    )
    .all(BigInt(originMs / 60_000), BigInt(stepMs / 60_000), ...args) as { b: number; sr: number; n: number }[];
  for (const r of rows) out.add(r.b, r.sr, r.n);
}

/** Whether the current index's tags select exactly the filter's lines in [fromNs, toNs). */
function tagsAreExact(db: Db, f: LogFilter, c: CompiledFilter, lo: number, hi: number): boolean {
  if (hasRowFilters(f) || (c.minSeverity !== undefined && c.minSeverity > 24)) return false;
  const indexes = readTextIndexes(db);
  if (!indexes.current) return false;
  if (indexes.old && ((indexes.old.lo <= hi && indexes.old.hi >= lo) || hasLegacyLogIds(db))) return false;
  if (!c.service) return true;
  // Another service of the window with the same tag (a hash collision) would be counted too.
  const tag = serviceTag(c.service, hashText);
  const services = db
    .prepare(`SELECT DISTINCT service FROM log_minute WHERE minute >= ? AND minute <= ?`)
    .pluck()
    .all(
      BigInt(Math.floor(lo / SLOTS_PER_MS / 60_000)),
      BigInt(Math.floor(hi / SLOTS_PER_MS / 60_000) + 1),
    ) as string[];
  return services.every((s) => s === c.service || serviceTag(s, hashText) !== tag);
}

/**
 * A line's id bounds its time to [(ms - overshoot) ms, (ms + 1) ms), ms = id / SLOTS_PER_MS
 * (logs-ids.ts); when that span lies in one step inside the window the id decides, else the
 * row's time does (lines near a step edge within the overshoot, lines at the clamped ends).
 */
const BUCKET_OF_ROWID = `CASE
  WHEN (rowid / ${SLOTS_PER_MS} - @ov) * 1000000 >= @from AND (rowid / ${SLOTS_PER_MS} + 1) * 1000000 <= @to
    AND rowid / ${SLOTS_PER_MS} > ${ID_FLOOR_MS} AND rowid / ${SLOTS_PER_MS} < ${ID_CEIL_MS}
    AND ((rowid / ${SLOTS_PER_MS} - @ov) * 1000000 - @origin) / @step = ((rowid / ${SLOTS_PER_MS}) * 1000000 + 999999 - @origin) / @step
  THEN ((rowid / ${SLOTS_PER_MS} - @ov) * 1000000 - @origin) / @step
  ELSE (SELECT CASE WHEN l.time_ns >= @from AND l.time_ns < @to THEN (l.time_ns - @origin) / @step ELSE -1 END
        FROM logs l WHERE l.id = ${TEXT_TABLE}.rowid)
  END`;

function addFromIds(
  db: Db,
  f: LogFilter,
  c: CompiledFilter,
  fromNs: bigint,
  toNs: bigint,
  stepNs: bigint,
  out: Buckets,
): boolean {
  const ov = readOvershoot(db);
  const { lo, hi } = logIdRange(fromNs, toNs, ov);
  if (!tagsAreExact(db, f, c, lo, hi)) return false;
  if (c.terms?.length === 0) return true;
  const stmt = db
    .prepare(
      `SELECT ${BUCKET_OF_ROWID} AS b, count(*) AS n FROM ${TEXT_TABLE}
       WHERE ${TEXT_TABLE} MATCH @match AND rowid BETWEEN @lo AND @hi GROUP BY b`,
    )
    .safeIntegers(true);
  const base = { ...c, minSeverity: undefined };
  const count = (match: string) => {
    const rows = stmt.all({
      match,
      lo: BigInt(lo),
      hi: BigInt(hi),
      ov: BigInt(ov),
      from: fromNs,
      to: toNs,
      origin: f.fromNs,
      step: stepNs,
    }) as { b: bigint; n: bigint }[];
    return new Map(rows.map((r) => [Number(r.b), Number(r.n)]));
  };
  // Ranges without a line in the window's minutes are not asked. Intersecting with a severity's
  // tags reads that severity's whole posting list in the window: the most common range (from
  // the minute counts) is instead the total minus the others.
  const totals = rangeTotals(db, c.service, lo, hi);
  const untagged = c.minSeverity === undefined && (c.terms !== undefined || c.service !== undefined);
  const largest = untagged && totals.size > 0 ? [...totals].sort((a, b) => b[1] - a[1])[0]![0] : -1;
  const total = largest >= 0 ? currentIndexMatch(db, base) : null;
  const rest = total === null ? null : count(total);
  for (let range = 0; range <= 6; range++) {
    const [first, last] = rangeSeverities(range);
    if (c.minSeverity !== undefined && last < c.minSeverity) continue;
    if ((rest && range === largest) || !totals.has(range)) continue;
    const match = currentIndexMatch(db, base, severityTagsFrom(Math.max(first, c.minSeverity ?? 0), last));
    if (match === null) return true;
    for (const [b, n] of count(match)) {
      out.add(b, range, n);
      if (rest) rest.set(b, (rest.get(b) ?? 0) - n);
    }
  }
  for (const [b, n] of rest ?? []) out.add(b, largest, n);
  return true;
}

/** Lines per severity range in the id range's minutes (ranges without lines absent). */
function rangeTotals(db: Db, service: string | undefined, lo: number, hi: number): Map<number, number> {
  const minutes = [BigInt(Math.floor(lo / SLOTS_PER_MS / 60_000)), BigInt(Math.floor(hi / SLOTS_PER_MS / 60_000))];
  const rows = db
    .prepare(
      `SELECT severity_range AS r, sum(count) AS n FROM log_minute WHERE minute >= ? AND minute <= ?${service === undefined ? "" : " AND service = ?"}
       GROUP BY severity_range HAVING sum(count) > 0`,
    )
    .all(...minutes, ...(service === undefined ? [] : [service])) as { r: number; n: number }[];
  return new Map(rows.map((r) => [r.r, r.n]));
}

/** Counts from the matching rows; true when a sample of the text index's matches was counted (rowBudget). */
function addFromRows(
  db: Db,
  c: CompiledFilter,
  fromNs: bigint,
  toNs: bigint,
  originNs: bigint,
  stepNs: bigint,
  out: Buckets,
  rowBudget = Infinity,
): boolean {
  let sampled = false;
  for (const src of sourcesOf(db, withWindow(c, fromNs, toNs), fromNs, toNs)) {
    let keep: number | null = null;
    if (Number.isFinite(rowBudget) && src.from.startsWith(`${TEXT_TABLE} `)) {
      // The current index's source: its first three arguments are the match and the id range.
      const matches = db
        .prepare(`SELECT count(*) FROM ${TEXT_TABLE} WHERE ${TEXT_TABLE} MATCH ? AND rowid BETWEEN ? AND ?`)
        .pluck()
        .get(...src.args.slice(0, 3)) as number;
      keep = sampleKeep(matches, rowBudget);
    }
    const where = keep === null ? src.where : [...src.where, sampleCondition(`${TEXT_TABLE}.rowid`, keep)];
    const rows = db
      .prepare(
        `SELECT ((l.time_ns - ?) / ?) AS b,
                CASE WHEN l.severity <= 0 THEN 0 WHEN l.severity >= 21 THEN 6 ELSE (l.severity - 1) / 4 + 1 END AS sr,
                count(*) AS n FROM ${src.from} WHERE ${where.join(" AND ")} GROUP BY b, sr`,
      )
      .safeIntegers(true)
      .all(originNs, stepNs, ...src.args) as { b: bigint; sr: bigint; n: bigint }[];
    const scale = keep === null ? 1 : SAMPLE_SCALE / keep;
    for (const r of rows) out.add(Number(r.b), Number(r.sr), Math.round(Number(r.n) * scale));
    sampled ||= keep !== null;
  }
  return sampled;
}

/** The compiled filter with its time conditions (its first two arguments) moved to another window. */
function withWindow(c: CompiledFilter, fromNs: bigint, toNs: bigint): CompiledFilter {
  return { ...c, args: [fromNs, toNs, ...c.args.slice(2)] };
}

/**
 * Matching lines per service in the window (log alert rules), exactly as the matching rows
 * count: without text and row-level filters, and with a minimum severity that starts a range,
 * the window's whole minutes come from the minute counts (log_minute, as the histogram reads
 * them) and only its partial first and last minutes from rows; else from the matching rows
 * (with text: the text index's matches in the window, joined to their rows).
 */
export function countLogsByService(db: Db, f: LogFilter): { service: string; count: number }[] {
  const counts = new Map<string, number>();
  const add = (service: string, n: number) => counts.set(service, (counts.get(service) ?? 0) + n);
  const c = compileFilter(f);
  const fromMin = (f.fromNs + MINUTE_NS - 1n) / MINUTE_NS;
  const toMin = f.toNs / MINUTE_NS;
  if (c.terms === undefined && !hasRowFilters(f) && isRangeStart(c.minSeverity) && toMin > fromMin && f.fromNs >= 0n) {
    for (const r of minuteCountsByService(db, c, fromMin, toMin)) add(r.service, r.count);
    addRowsByService(db, c, f.fromNs, fromMin * MINUTE_NS, add);
    addRowsByService(db, c, toMin * MINUTE_NS, f.toNs, add);
  } else addRowsByService(db, c, f.fromNs, f.toNs, add);
  return [...counts].map(([service, count]) => ({ service, count }));
}

function minuteCountsByService(db: Db, c: CompiledFilter, fromMin: bigint, toMin: bigint) {
  const { where, args } = selectMinuteCounts(c, fromMin, toMin);
  return db
    .prepare(`SELECT service, sum(count) AS count FROM log_minute WHERE ${where.join(" AND ")} GROUP BY service`)
    .all(...args) as { service: string; count: number }[];
}

function addRowsByService(
  db: Db,
  c: CompiledFilter,
  fromNs: bigint,
  toNs: bigint,
  add: (service: string, n: number) => void,
): void {
  if (toNs <= fromNs) return;
  for (const src of sourcesOf(db, withWindow(c, fromNs, toNs), fromNs, toNs)) {
    const rows = db
      .prepare(
        `SELECT l.service AS service, count(*) AS count FROM ${src.from} WHERE ${src.where.join(" AND ")} GROUP BY l.service`,
      )
      .all(...src.args) as { service: string; count: number }[];
    for (const r of rows) add(r.service, r.count);
  }
}

/** Services that wrote any log line since `sinceMs` (from the minute counts). */
export function listLogServices(db: Db, sinceMs: number): string[] {
  return db
    .prepare(`SELECT DISTINCT service FROM log_minute WHERE minute >= ?`)
    .pluck()
    .all(Math.floor(sinceMs / 60_000)) as string[];
}
