import "server-only";
import type { AttrValue } from "../../normalize";
import { ByteReader, ByteWriter } from "./byte-io";

/**
 * Rare-term postings of one span block: for span attribute `key=value` terms held by few of
 * the block's traces, the exact list of those traces (summary row ids). A Bloom filter cannot
 * help a term that is in 1 % of traces: it is in almost every block, so without postings a
 * search decodes one whole block per trace it finds; with them it reads this small list.
 *
 * Contract: a term that is listed is listed completely (every trace of the block with a span
 * whose attribute `key` has a scalar value, or a top-level array element, whose string form
 * is `value`); a term that is not listed tells nothing (common in the block, a boolean, too
 * long, over the size budget, or a block written before postings) and the block is decoded.
 * Resource attributes are not covered; search-traces.ts falls back when a resource matches.
 *
 * Layout: u8 version=1 · varint baseKey · varint nKeys · key strings ·
 *         entry* = varint keyIndex · value string · varint n · varint (traceKey - baseKey)*
 */
const VERSION = 1;
/** A term is listed when at most this many traces of the block hold it... */
const MAX_TRACES = 4;
/** ...and at most this share of them (a block of few traces is cheap to decode anyway). */
const MAX_SHARE = 1 / 8;
const MAX_VALUE_BYTES = 64;
/** Raw postings bytes allowed per stored span (plus a fixed allowance per block). */
const BYTES_PER_SPAN = 4;
const BYTES_PER_BLOCK = 64;

/** Section indexes per distinct value (null once the value is common in the block). */
export type ValueSections = Map<AttrValue, number[] | null>;

/** Notes that the value `v` (of one attribute) occurs in section `sec`; call in section order. */
export function noteValue(values: ValueSections, v: AttrValue, sec: number): void {
  const list = values.get(v);
  if (list === undefined) values.set(v, [sec]);
  else if (list !== null && list[list.length - 1] !== sec) {
    if (list.length >= MAX_TRACES) values.set(v, null);
    else list.push(sec);
  }
}

/**
 * Builds the postings blob (null when nothing qualifies). `byKey[k]` holds the values of the
 * string-table key `k`; `traceKeys[i]` is section i's summary row id.
 */
export function encodePostings(
  keys: readonly string[],
  byKey: readonly (ValueSections | undefined)[],
  traceKeys: readonly number[],
  spans: number,
): Buffer | null {
  const limit = Math.min(MAX_TRACES, Math.floor(traceKeys.length * MAX_SHARE));
  if (limit < 1) return null;
  // Merge values by their string form (500 and "500" are one term), dropping common ones.
  const candidates: { key: string; terms: Map<string, Set<number> | null> }[] = [];
  for (let k = 0; k < byKey.length; k++) {
    const values = byKey[k];
    if (!values) continue;
    const terms = new Map<string, Set<number> | null>();
    for (const [v, secs] of values) {
      const text = typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
      if (text === null) continue;
      const prev = terms.get(text);
      if (prev === null) continue;
      if (secs === null || secs.length > limit) {
        terms.set(text, null);
        continue;
      }
      const set = prev ?? new Set<number>();
      for (const s of secs) set.add(s);
      terms.set(text, set.size > limit ? null : set);
    }
    for (const [text, set] of terms) if (set === null || Buffer.byteLength(text) > MAX_VALUE_BYTES) terms.delete(text);
    if (terms.size > 0) candidates.push({ key: keys[k]!, terms });
  }
  if (candidates.length === 0) return null;
  // Keys with few rare values first (status codes, error types) before id-like keys.
  candidates.sort((a, b) => a.terms.size - b.terms.size);
  let base = traceKeys[0]!;
  for (const t of traceKeys) if (t < base) base = t;
  const budget = BYTES_PER_BLOCK + BYTES_PER_SPAN * spans;
  const w = new ByteWriter(Math.min(budget + 256, 64 * 1024));
  w.u8(VERSION);
  w.varint(base);
  w.varint(candidates.length);
  for (const c of candidates) w.string(c.key);
  let entries = 0;
  for (let k = 0; k < candidates.length && w.pos < budget; k++) {
    for (const [text, set] of candidates[k]!.terms) {
      const at = w.pos;
      w.varint(k);
      w.string(text);
      w.varint(set!.size);
      for (const s of set!) w.varint(traceKeys[s]! - base);
      // A term either fits whole or is left out (unlisted: the block is decoded for it).
      if (w.pos > budget) {
        w.pos = at;
        break;
      }
      entries++;
    }
  }
  return entries === 0 ? null : w.take();
}

/**
 * The traces of the block listed for `key=value`, or null when the term is not listed (the
 * block must then be decoded to know).
 */
export function findPosting(blob: Buffer, key: string, value: Buffer): number[] | null {
  const r = new ByteReader(blob);
  if (r.u8() !== VERSION) return null;
  const base = r.varint();
  const nKeys = r.varint();
  let want = -1;
  for (let k = 0; k < nKeys; k++) if (r.string() === key) want = k;
  if (want < 0) return null;
  while (!r.done) {
    const k = r.varint();
    const len = r.varint();
    const hit = k === want && len === value.length && blob.compare(value, 0, len, r.pos, r.pos + len) === 0;
    r.skip(len);
    const n = r.varint();
    if (hit) {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push(base + r.varint());
      return out;
    }
    for (let i = 0; i < n; i++) r.varint();
  }
  return null;
}
