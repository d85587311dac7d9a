import "server-only";

/**
 * Literals for SQL sent to ClickHouse. 18.16 predates query parameters ({name:Type}), so values
 * are inlined: strings escaped per ClickHouse's quoting rules, numbers checked to be finite integers.
 */
export function sqlString(v: string): string {
  return `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function sqlInt(v: number | bigint): string {
  const n = typeof v === "bigint" ? v : BigInt(Math.trunc(v));
  if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  return n.toString();
}

export function sqlStringList(values: readonly string[]): string {
  return values.length === 0 ? "('')" : `(${values.map(sqlString).join(",")})`;
}

/** The UTC day (YYYY-MM-DD) of an epoch-ms time: the partition of every table. */
export function dayOf(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString().slice(0, 10);
}

/** Latest day a partition bound is computed for (beyond it, a window's end is open-ended). */
const MAX_DAY_MS = Date.UTC(2100, 0, 1);

/**
 * `day` bounds of rows timed in [fromNs, toNs): lets ClickHouse skip whole partitions (on
 * 18.16 it prunes by the partition column only, not by a time column derived from it).
 */
export function dayRangeSql(fromNs: bigint, toNs: bigint): string {
  const ms = (ns: bigint) => Number((ns > 0n ? ns : 0n) / 1_000_000n);
  const lo = Math.min(ms(fromNs), MAX_DAY_MS);
  const hi = Math.min(ms(toNs - 1n), MAX_DAY_MS);
  return `day >= ${sqlString(dayOf(lo))} AND day <= ${sqlString(dayOf(hi))}`;
}
