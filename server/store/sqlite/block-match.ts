import "server-only";
import type { ResourceInfo } from "../../normalize";
import { ByteReader } from "./byte-io";
import { termValue } from "./bloom";
import type { DecodedBlock, SectionRef } from "./span-block";

/**
 * Trace search's span test, run on a block's bytes without building span objects: names and
 * attribute values are compared as string-table indexes, numbers as numbers. A block that
 * lacks the searched operation name (or an attribute key and every matching resource) is
 * ruled out before any span is read. Same rules as search-traces.ts states: one span must
 * match every filter; an attribute filter matches the span's or its resource's attribute.
 */
export interface SpanFilter {
  operation?: string;
  kind?: number;
  status?: "ok" | "error";
  service?: string;
  environment?: string | null;
  attrs: readonly { key: string; value: string }[];
}

/** How one attribute filter's wanted value looks in a block. */
interface ValueTest {
  keyRef: number;
  strRef: number;
  /** The number whose String() is the wanted text, or null. */
  num: number | null;
  want: string;
  wantLower: string;
}

export interface BlockMatcher {
  /** False when no span of the block can match (checked before reading sections). */
  possible: boolean;
  sectionMatches(sec: SectionRef): boolean;
}

/** Resource verdicts of one query: service/environment ok, and which attr filters its attributes satisfy. */
export type ResourceVerdicts = Map<number, { ok: boolean; attrMask: number }>;

export function compileBlockMatcher(
  block: DecodedBlock,
  f: SpanFilter,
  resource: (id: number) => ResourceInfo,
  verdicts: ResourceVerdicts,
): BlockMatcher {
  const strings = block.strings;
  const nameRef = f.operation === undefined ? -1 : strings.indexOf(f.operation);
  const tests: ValueTest[] = f.attrs.map((a) => ({
    keyRef: strings.indexOf(a.key),
    strRef: strings.indexOf(a.value),
    num: numberFor(a.value),
    want: a.value,
    wantLower: a.value.toLowerCase(),
  }));
  const all = (1 << tests.length) - 1;
  // A filter whose key is not in the block can only be met by resource attributes.
  const spanKeys = tests.reduce((m, t, i) => (t.keyRef >= 0 ? m | (1 << i) : m), 0);
  const verdictOf = (id: number) => {
    let v = verdicts.get(id);
    if (!v) {
      const r = resource(id);
      const ok =
        (f.service === undefined || r.service === f.service) &&
        (f.environment === undefined || (r.environment ?? null) === f.environment);
      let attrMask = 0;
      f.attrs.forEach((a, i) => {
        if (valueMatches(r.attributes[a.key], a.value)) attrMask |= 1 << i;
      });
      verdicts.set(id, (v = { ok, attrMask }));
    }
    return v;
  };
  const possible = f.operation === undefined || nameRef >= 0;

  function sectionMatches(sec: SectionRef): boolean {
    const r = new ByteReader(block.buf, sec.start, sec.end);
    r.skip(8);
    for (let i = 0; i < sec.count; i++) {
      const p = r.varint();
      if (p === 1) r.skip(8);
      const ks = r.u8();
      r.varint();
      r.varint();
      const name = r.varint();
      const res = r.varint();
      r.varint();
      r.varint();
      let ok = (nameRef < 0 || name === nameRef) && (f.kind === undefined || (ks & 7) === f.kind);
      if (ok && f.status !== undefined) ok = f.status === "error" ? ks >> 3 === 2 : ks >> 3 !== 2;
      let need = 0;
      if (ok) {
        const v = verdictOf(res);
        ok = v.ok;
        need = all & ~v.attrMask;
        if ((need & ~spanKeys) !== 0) ok = false;
        if (ok && need === 0) return true;
      }
      // Attributes: tick off the filters still needed; the rest of the span is skipped.
      const n = r.varint();
      for (let a = 0; a < n; a++) {
        const k = r.varint();
        if (!ok) {
          skipValue(r);
          continue;
        }
        const at = r.pos;
        for (let t = 0; t < tests.length; t++) {
          if (tests[t]!.keyRef !== k || (need & (1 << t)) === 0) continue;
          r.pos = at;
          if (readMatches(r, tests[t]!)) need &= ~(1 << t);
        }
        if (need === 0) return true;
        r.pos = at;
        skipValue(r);
      }
      skipEventsAndLinks(r);
    }
    return false;
  }

  return { possible, sectionMatches };
}

function numberFor(s: string): number | null {
  const n = Number(s);
  return s.trim() !== "" && Number.isFinite(n) && String(n) === s ? n : null;
}

/** Whether a stored attribute value (scalar or array) meets an `attr` filter's value. */
export function valueMatches(v: unknown, want: string): boolean {
  if (v === undefined || v === null) return false;
  if (Array.isArray(v)) return v.some((x) => scalarMatches(x, want));
  return scalarMatches(v, want);
}

function scalarMatches(v: unknown, want: string): boolean {
  if (typeof v === "boolean") return String(v) === want.toLowerCase();
  return termValue(v) === want;
}

/** Reads one stored value and tells whether it matches (see value tags in span-block.ts). */
function readMatches(r: ByteReader, t: ValueTest): boolean {
  const tag = r.u8();
  switch (tag) {
    case 1:
      return r.varint() === t.strRef && t.strRef >= 0;
    case 2:
      return t.num !== null && r.zigzag() === t.num;
    case 3:
      return String(r.f64()) === t.want;
    case 4:
      return t.wantLower === "true";
    case 5:
      return t.wantLower === "false";
    case 6: {
      const n = r.varint();
      let any = false;
      for (let i = 0; i < n; i++) if (readMatches(r, t)) any = true;
      return any;
    }
    case 7:
      skipObject(r);
      return false;
    default:
      return false;
  }
}

function skipValue(r: ByteReader): void {
  const tag = r.u8();
  if (tag === 1) r.varint();
  else if (tag === 2) r.zigzag();
  else if (tag === 3) r.skip(8);
  else if (tag === 6) {
    const n = r.varint();
    for (let i = 0; i < n; i++) skipValue(r);
  } else if (tag === 7) skipObject(r);
}

function skipObject(r: ByteReader): void {
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    r.varint();
    skipValue(r);
  }
}

function skipAttrs(r: ByteReader): void {
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    r.varint();
    skipValue(r);
  }
}

function skipEventsAndLinks(r: ByteReader): void {
  const ne = r.varint();
  for (let e = 0; e < ne; e++) {
    r.zigzag();
    r.varint();
    skipAttrs(r);
  }
  const nl = r.varint();
  for (let l = 0; l < nl; l++) {
    r.skip(24);
    skipAttrs(r);
  }
}
