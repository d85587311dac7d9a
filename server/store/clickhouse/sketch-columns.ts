import "server-only";

/**
 * Latency sketches cross the store boundary in their encoded form (the same Float64 layout the
 * SQLite store keeps in BLOBs: zeroCount, count, sum, min, max, then (bin index, count) pairs).
 * In ClickHouse a sketch is plain columns `<p>_n/_zero/_sum/_min/_max` and the bins as parallel
 * arrays `<p>_keys/_counts`, so rows of one key written by any number of instances merge in SQL
 * (sum, min, max, sumMap over the bins) exactly as DDSketch.merge would: nothing is overwritten.
 */
const HEADER = 5;

function floats(buf: Uint8Array): Float64Array {
  const aligned = buf.byteOffset % 8 === 0 ? buf : Uint8Array.prototype.slice.call(buf);
  return new Float64Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 8));
}

/** Row fields `<p>_*` of an encoded sketch. */
export function sketchFields(p: string, encoded: Uint8Array): Record<string, number | number[]> {
  const f = floats(encoded);
  const keys: number[] = [];
  const counts: number[] = [];
  for (let j = HEADER; j + 1 < f.length; j += 2) {
    keys.push(f[j]!);
    counts.push(f[j + 1]!);
  }
  const n = f.length >= HEADER ? f[1]! : 0;
  return {
    [`${p}_n`]: n,
    [`${p}_zero`]: n ? f[0]! : 0,
    [`${p}_sum`]: n ? f[2]! : 0,
    [`${p}_min`]: n ? f[3]! : 0,
    [`${p}_max`]: n ? f[4]! : 0,
    [`${p}_keys`]: keys,
    [`${p}_counts`]: counts,
  };
}

/** SQL that merges the sketch columns `<p>_*` of a group (runs on 18.16 and current releases). */
export function sketchMergeSql(p: string): string {
  // Aliases must not shadow the columns (ClickHouse resolves a column name to an alias first).
  return `sum(${p}_n) AS m_${p}_n, sum(${p}_zero) AS m_${p}_zero, sum(${p}_sum) AS m_${p}_sum,
    minIf(${p}_min, ${p}_n > 0) AS m_${p}_min, maxIf(${p}_max, ${p}_n > 0) AS m_${p}_max, sumMap(${p}_keys, ${p}_counts) AS m_${p}_bins`;
}

/** The encoded sketch of a row produced by sketchMergeSql. */
export function sketchFromRow(r: Record<string, unknown>, prefix: string): Buffer {
  const p = `m_${prefix}`;
  const n = Number(r[`${p}_n`]);
  const bins = (r[`${p}_bins`] ?? [[], []]) as [unknown[], unknown[]];
  const keys = n ? (bins[0] ?? []) : [];
  const counts = bins[1] ?? [];
  const f = new Float64Array(HEADER + keys.length * 2);
  if (n) {
    f[0] = Number(r[`${p}_zero`]);
    f[1] = n;
    f[2] = Number(r[`${p}_sum`]);
    f[3] = Number(r[`${p}_min`]);
    f[4] = Number(r[`${p}_max`]);
  }
  for (let i = 0; i < keys.length; i++) {
    f[HEADER + i * 2] = Number(keys[i]);
    f[HEADER + 1 + i * 2] = Number(counts[i]);
  }
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
