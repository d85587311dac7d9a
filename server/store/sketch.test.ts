import { describe, expect, it } from "vitest";
import {
  addEncodedSketches,
  addToSketch,
  createSketch,
  decodeSketch,
  encodeSketch,
  mergeEncodedInto,
  mergeEncodedSketches,
  quantile,
} from "./sketch";

function exactQuantile(sorted: number[], q: number): number {
  // Nearest-rank on the lower side, the definition DDSketch approximates.
  const rank = Math.max(0, Math.ceil(q * sorted.length) - 1);
  return sorted[rank]!;
}

/** Deterministic skewed latencies: lognormal body with a heavy tail of slow requests. */
function skewedLatencies(n: number, seed: number): number[] {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u1 = Math.max(rand(), 1e-9);
    const u2 = rand();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const base = Math.exp(2.5 + 0.6 * z); // ~12 ms median
    out.push(rand() < 0.03 ? base * 40 : base); // 3 % tail around 500 ms
  }
  return out;
}

describe("latency sketch", () => {
  it("keeps p50/p95/p99 within 2 % of the exact percentile when minutes are merged", () => {
    const minutes = Array.from({ length: 30 }, (_, m) => skewedLatencies(2000, m + 1));
    const encoded = minutes.map((vals) => {
      const s = createSketch();
      for (const v of vals) addToSketch(s, v);
      return encodeSketch(s);
    });
    const merged = createSketch();
    for (const e of encoded) mergeEncodedInto(merged, e);
    const all = minutes.flat().sort((a, b) => a - b);
    expect(merged.count).toBe(all.length);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(all, q);
      const approx = quantile(merged, q)!;
      expect(Math.abs(approx - exact) / exact).toBeLessThanOrEqual(0.02);
    }
  });

  it("round-trips through its encoding and reports empty as null", () => {
    const s = createSketch();
    expect(quantile(s, 0.5)).toBeNull();
    for (const v of [0, 1, 5, 5, 100]) addToSketch(s, v);
    const back = decodeSketch(encodeSketch(s));
    expect(back.count).toBe(5);
    expect(back.min).toBe(0);
    expect(back.max).toBe(100);
    expect(quantile(back, 1)).toBeCloseTo(100, 0);
    expect(quantile(back, 0)).toBe(0);
  });

  it("adds encoded sketches into the bytes a decode, merge and encode gives", () => {
    const sketchOf = (vals: number[]) => {
      const s = createSketch();
      for (const v of vals) addToSketch(s, v);
      return encodeSketch(s);
    };
    const parts = [
      sketchOf([]),
      sketchOf([0, 0, 3]),
      sketchOf(skewedLatencies(500, 7)),
      sketchOf([12.5, 13, 900]),
      sketchOf(skewedLatencies(50, 9)),
      sketchOf([]),
      sketchOf([0.001, 40_000]),
    ];
    let added: Uint8Array = parts[0]!;
    let reference: Uint8Array = parts[0]!;
    for (const p of parts.slice(1)) {
      added = addEncodedSketches(added, p);
      reference = mergeEncodedSketches(reference, p);
      expect(Buffer.from(added).equals(Buffer.from(reference))).toBe(true);
    }
    expect(decodeSketch(added).count).toBe(500 + 50 + 3 + 3 + 2);
    expect(
      Buffer.from(addEncodedSketches(parts[0]!, parts[5]!)).equals(mergeEncodedSketches(parts[0]!, parts[5]!)),
    ).toBe(true);
  });
});
