import "server-only";
import { DDSketch } from "@datadog/sketches-js";

/**
 * Latency sketch: DDSketch with 1 % relative accuracy (the contract promises ≤ 2 %), fully
 * mergeable, so minute rollups merge into any window without averaging percentiles.
 * Values are milliseconds. Encoding is compact and owned here (not the library's protobuf,
 * which is ~10× slower to read back): a Float64 header, then (key, count) pairs of the
 * positive store's non-empty bins, using only the store's public fields.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export type Sketch = DDSketch;

export function createSketch(): Sketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

export function addToSketch(sketch: Sketch, valueMs: number, weight = 1): void {
  sketch.accept(valueMs > 0 ? valueMs : 0, weight);
}

export function mergeSketches(into: Sketch, from: Sketch): void {
  into.merge(from);
}

/** Value at quantile q in [0, 1], or null for an empty sketch. */
export function quantile(sketch: Sketch, q: number): number | null {
  if (sketch.count === 0) return null;
  return sketch.getValueAtQuantile(q);
}

const HEADER = 5; // zeroCount, count, sum, min, max

export function encodeSketch(sketch: Sketch): Buffer {
  const store = sketch.store;
  const bins = store.bins;
  let nonEmpty = 0;
  for (let i = 0; i < bins.length; i++) if (bins[i]! > 0) nonEmpty++;
  const out = new Float64Array(HEADER + nonEmpty * 2);
  out[0] = sketch.zeroCount;
  out[1] = sketch.count;
  out[2] = sketch.sum;
  out[3] = sketch.count > 0 ? sketch.min : 0;
  out[4] = sketch.count > 0 ? sketch.max : 0;
  let j = HEADER;
  for (let i = 0; i < bins.length; i++) {
    const c = bins[i]!;
    if (c > 0) {
      out[j++] = i + store.offset;
      out[j++] = c;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

const floatsOf = (buf: Uint8Array): Float64Array => {
  const aligned = buf.byteOffset % 8 === 0 ? buf : Uint8Array.prototype.slice.call(buf);
  return new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8);
};

/** An empty sketch, encoded. */
const EMPTY: Uint8Array = new Uint8Array(new Float64Array(HEADER).buffer);

export function decodeSketch(buf: Uint8Array): Sketch {
  const sketch = createSketch();
  mergeEncodedInto(sketch, buf);
  return sketch;
}

/** Adds an encoded sketch into `into` without building an intermediate sketch. */
export function mergeEncodedInto(into: Sketch, buf: Uint8Array): void {
  const f = floatsOf(buf);
  if (f.length < HEADER) return;
  const count = f[1]!;
  if (count === 0) return;
  for (let j = HEADER; j + 1 < f.length; j += 2) into.store.add(f[j]!, f[j + 1]!);
  into.zeroCount += f[0]!;
  into.count += count;
  into.sum += f[2]!;
  if (f[3]! < into.min) into.min = f[3]!;
  if (f[4]! > into.max) into.max = f[4]!;
}

/**
 * The encoded merge of two encoded sketches, without building a sketch: the header's numbers
 * added (min/max compared) and the two ascending bin lists merged, which is what decoding both
 * into one sketch and encoding it gives, byte for byte. An empty side returns the other one
 * itself (encoded sketches are never written to).
 */
export function addEncodedSketches(a: Uint8Array, b: Uint8Array): Uint8Array {
  const fa = floatsOf(a);
  const fb = floatsOf(b);
  if (!(fb.length >= HEADER && fb[1]! > 0)) return fa.length >= HEADER && fa[1]! > 0 ? a : EMPTY;
  if (!(fa.length >= HEADER && fa[1]! > 0)) return b;
  let i = HEADER;
  let j = HEADER;
  let bins = 0;
  while (i < fa.length || j < fb.length) {
    const ka = i < fa.length ? fa[i]! : Infinity;
    const kb = j < fb.length ? fb[j]! : Infinity;
    if (ka <= kb) i += 2;
    if (kb <= ka) j += 2;
    bins++;
  }
  const out = new Float64Array(HEADER + bins * 2);
  out[0] = fa[0]! + fb[0]!;
  out[1] = fa[1]! + fb[1]!;
  out[2] = fa[2]! + fb[2]!;
  out[3] = Math.min(fa[3]!, fb[3]!);
  out[4] = Math.max(fa[4]!, fb[4]!);
  i = HEADER;
  j = HEADER;
  let k = HEADER;
  while (i < fa.length || j < fb.length) {
    const ka = i < fa.length ? fa[i]! : Infinity;
    const kb = j < fb.length ? fb[j]! : Infinity;
    const key = Math.min(ka, kb);
    let c = 0;
    if (ka === key) {
      c += fa[i + 1]!;
      i += 2;
    }
    if (kb === key) {
      c += fb[j + 1]!;
      j += 2;
    }
    out[k++] = key;
    out[k++] = c;
  }
  return new Uint8Array(out.buffer);
}

/** Merge of two encoded sketches, encoded (what a store does when two rows of one minute meet). */
export function mergeEncodedSketches(a: Uint8Array, b: Uint8Array): Buffer {
  const s = createSketch();
  mergeEncodedInto(s, a);
  mergeEncodedInto(s, b);
  return encodeSketch(s);
}
