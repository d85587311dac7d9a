import "server-only";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { Attributes, AttrValue, Span } from "../../normalize";
import { ByteReader, ByteWriter } from "./byte-io";
import { hashTerm, TermKind, termValue } from "./bloom";
import { encodePostings, noteValue, type ValueSections } from "./span-block-postings";

/**
 * The span block: every span one append stored, grouped by trace, in one raw-deflate
 * compressed blob. Layout (before compression):
 *
 *   u8 version=1 · varint nStrings · strings (varint length + UTF-8) · varint nSections ·
 *   section* = varint traceKey · varint firstIndex · varint nSpans · varint bodyLength ·
 *              u64 baseStartNs · span*
 *   span     = varint parentRef (0 none, 1 literal 8 bytes follow, k+2 = k-th span id of
 *              the trace) · u8 kind | status << 3 · varint startNs - base · varint durationNs ·
 *              varint name · varint resourceId · varint scope (0 none, else ref+1 of
 *              "name\0version") · varint statusMessage (0 none, else ref+1) · attrs · events · links
 *   attrs    = varint n · (varint keyRef · value)*
 *   value    = u8 tag: 0 null, 1 string ref, 2 zigzag int, 3 f64, 4 true, 5 false,
 *              6 array (varint n, value*), 7 object (varint n, (keyRef, value)*)
 *   events   = varint n · (zigzag time - spanStart · varint nameRef · attrs)*
 *   links    = varint n · (16 bytes trace · 8 bytes span · attrs)*
 *
 * Strings (names, keys, values) are stored once per block: a trace's attribute values repeat
 * across its spans and across traces. Span ids live in the trace summary (the dedup set),
 * so a block addresses spans by their index in that list. `traceKey` is the summary's rowid.
 */
export interface BlockSection {
  traceKey: number;
  firstIndex: number;
  spans: readonly Span[];
  /** Index of a span id in the trace's id list (existing + this section), or -1. */
  indexOf(spanId: string): number;
}

export interface EncodedBlock {
  data: Buffer;
  terms: Set<number>;
  /** Rare-term postings (span-block-postings.ts), or null. */
  postings: Buffer | null;
  minStartNs: bigint;
  maxStartNs: bigint;
  spans: number;
}

const VERSION = 1;

/** Encodes sections into a block; `resourceIdOf` maps a span's resource to its stored id. */
export function encodeBlock(
  sections: readonly BlockSection[],
  resourceIdOf: (s: Span) => number,
  w: ByteWriter,
  sw: ByteWriter,
): EncodedBlock {
  const strings = new Map<string, number>();
  const terms = new Set<number>();
  const seenResources = new Set<number>();
  const pairs: PairSets = [];
  const names = new Set<string>();
  const ref = (s: string): number => {
    let r = strings.get(s);
    if (r === undefined) {
      r = strings.size;
      strings.set(s, r);
      sw.string(s);
    }
    return r;
  };
  let minStart = -1n;
  let maxStart = -1n;
  let total = 0;
  w.reset();
  sw.reset();
  w.varint(sections.length);
  for (let si = 0; si < sections.length; si++) {
    const sec = sections[si]!;
    w.varint(sec.traceKey);
    w.varint(sec.firstIndex);
    w.varint(sec.spans.length);
    let base = sec.spans[0]!.startNs;
    for (const s of sec.spans) if (s.startNs < base) base = s.startNs;
    // Body length is patched in after the body: reserve 4 varint bytes.
    const lenAt = w.pos;
    w.ensure(4);
    w.pos += 4;
    const bodyAt = w.pos;
    w.u64(base);
    for (const s of sec.spans) {
      total++;
      if (minStart < 0n || s.startNs < minStart) minStart = s.startNs;
      if (s.startNs > maxStart) maxStart = s.startNs;
      if (s.parentSpanId === null) w.varint(0);
      else {
        const k = sec.indexOf(s.parentSpanId);
        if (k >= 0) w.varint(k + 2);
        else {
          w.varint(1);
          w.hex(s.parentSpanId, 8);
        }
      }
      w.u8(s.kind | (s.statusCode << 3));
      w.varint(Number(s.startNs - base));
      w.varint(Number(s.endNs - s.startNs));
      w.varint(ref(s.name));
      const rid = resourceIdOf(s);
      w.varint(rid);
      w.varint(s.scope.name || s.scope.version ? ref(`${s.scope.name}\u0000${s.scope.version}`) + 1 : 0);
      w.varint(s.statusMessage ? ref(s.statusMessage) + 1 : 0);
      writeAttrs(w, s.attributes, ref, pairs, si);
      w.varint(s.events.length);
      for (const e of s.events) {
        w.zigzag(Number(e.timeUnixNano - s.startNs));
        w.varint(ref(e.name));
        writeAttrs(w, e.attributes, ref, null, si);
      }
      w.varint(s.links.length);
      for (const l of s.links) {
        w.hex(l.traceId, 16);
        w.hex(l.spanId, 8);
        writeAttrs(w, l.attributes, ref, null, si);
      }
      const service = s.resource.service;
      names.add(s.name);
      if (!seenResources.has(rid)) {
        seenResources.add(rid);
        terms.add(hashTerm(TermKind.service, service));
        for (const key in s.resource.attributes) addAttrTerms(terms, key, s.resource.attributes[key]!);
      }
    }
    const len = w.pos - bodyAt;
    // Fixed 4-byte varint (up to 2^28 bytes per section).
    w.buf[lenAt] = (len & 0x7f) | 0x80;
    w.buf[lenAt + 1] = ((len >>> 7) & 0x7f) | 0x80;
    w.buf[lenAt + 2] = ((len >>> 14) & 0x7f) | 0x80;
    w.buf[lenAt + 3] = (len >>> 21) & 0x7f;
  }
  for (const name of names) terms.add(hashTerm(TermKind.operation, name));
  const keys = [...strings.keys()];
  for (let kr = 0; kr < pairs.length; kr++) {
    const set = pairs[kr];
    if (!set) continue;
    for (const v of set.keys()) {
      const tv = termValue(v);
      if (tv !== null) terms.add(hashTerm(TermKind.attribute, keys[kr]!, tv));
    }
  }
  const head = new ByteWriter(16);
  head.u8(VERSION);
  head.varint(strings.size);
  const raw = Buffer.concat([head.buf.subarray(0, head.pos), sw.buf.subarray(0, sw.pos), w.buf.subarray(0, w.pos)]);
  const postings = encodePostings(
    keys,
    pairs,
    sections.map((x) => x.traceKey),
    total,
  );
  return {
    data: deflateRawSync(raw, { level: 6 }),
    terms,
    postings,
    minStartNs: minStart,
    maxStartNs: maxStart,
    spans: total,
  };
}

function addAttrTerms(terms: Set<number>, key: string, v: AttrValue): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      const s = termValue(x);
      if (s !== null) terms.add(hashTerm(TermKind.attribute, key, s));
    }
    return;
  }
  const s = termValue(v);
  if (s !== null) terms.add(hashTerm(TermKind.attribute, key, s));
}

/** Distinct span attribute values per key ref (Bloom terms once per block, and postings). */
type PairSets = Array<ValueSections | undefined>;

function writeAttrs(
  w: ByteWriter,
  attrs: Attributes,
  ref: (s: string) => number,
  pairs: PairSets | null,
  sec: number,
): void {
  let n = 0;
  for (const _ in attrs) n++;
  w.varint(n);
  for (const key in attrs) {
    const v = attrs[key]!;
    const kr = ref(key);
    w.varint(kr);
    writeValue(w, v, ref);
    if (pairs && v !== null) {
      let set = pairs[kr];
      if (set === undefined) pairs[kr] = set = new Map();
      if (Array.isArray(v)) for (const x of v) noteValue(set, x, sec);
      else noteValue(set, v, sec);
    }
  }
}

function writeValue(w: ByteWriter, v: AttrValue, ref: (s: string) => number): void {
  if (v === null || v === undefined) w.u8(0);
  else if (typeof v === "string") {
    w.u8(1);
    w.varint(ref(v));
  } else if (typeof v === "number") {
    if (Number.isSafeInteger(v)) {
      w.u8(2);
      w.zigzag(v);
    } else {
      w.u8(3);
      w.f64(v);
    }
  } else if (typeof v === "boolean") w.u8(v ? 4 : 5);
  else if (Array.isArray(v)) {
    w.u8(6);
    w.varint(v.length);
    for (const x of v) writeValue(w, x, ref);
  } else {
    w.u8(7);
    const keys = Object.keys(v);
    w.varint(keys.length);
    for (const k of keys) {
      w.varint(ref(k));
      writeValue(w, v[k]!, ref);
    }
  }
}

/** A decompressed block: its strings and where each trace's section lies. */
export interface DecodedBlock {
  buf: Buffer;
  strings: string[];
  sections: SectionRef[];
}

export interface SectionRef {
  traceKey: number;
  firstIndex: number;
  count: number;
  start: number;
  end: number;
}

export function openBlock(data: Buffer): DecodedBlock {
  const buf = inflateRawSync(data);
  const r = new ByteReader(buf);
  if (r.u8() !== VERSION) throw new Error("unknown span block version");
  const n = r.varint();
  const strings = new Array<string>(n);
  for (let i = 0; i < n; i++) strings[i] = r.string();
  const nSections = r.varint();
  const sections: SectionRef[] = [];
  for (let i = 0; i < nSections; i++) {
    const traceKey = r.varint();
    const firstIndex = r.varint();
    const count = r.varint();
    const len = r.varint();
    sections.push({ traceKey, firstIndex, count, start: r.pos, end: r.pos + len });
    r.skip(len);
  }
  return { buf, strings, sections };
}

/** One span as stored, before ids and resources are resolved. */
export interface SpanRecord {
  /** Index into the trace's span ids (-1 none; -2 literal in parentHex). */
  parentIndex: number;
  parentHex: string | null;
  kind: number;
  status: number;
  startNs: bigint;
  durationNs: number;
  name: string;
  resourceId: number;
  scope: string | null;
  statusMessage: string;
  attributes: Attributes | null;
  events: { timeUnixNano: bigint; name: string; attributes: Attributes }[] | null;
  links: { traceId: string; spanId: string; attributes: Attributes }[] | null;
}

/**
 * Visits the spans of one section. With `full` false, attributes, events and links are
 * skipped without building objects (search reads names, kinds and statuses only). With a set
 * of string-table indexes, only the span attributes whose key is in it are built:
 * an attribute filter reads the keys it tests and nothing else.
 */
export function readSection(
  block: DecodedBlock,
  sec: SectionRef,
  full: boolean | ReadonlySet<number>,
  visit: (r: SpanRecord, index: number) => void,
): void {
  const keys = typeof full === "boolean" ? null : full;
  if (keys) full = false;
  const all = full === true;
  const r = new ByteReader(block.buf, sec.start, sec.end);
  const s = block.strings;
  const base = r.u64();
  for (let i = 0; i < sec.count; i++) {
    const p = r.varint();
    let parentHex: string | null = null;
    if (p === 1) parentHex = r.hex(8);
    const ks = r.u8();
    const startNs = base + BigInt(r.varint());
    const durationNs = r.varint();
    const name = s[r.varint()]!;
    const resourceId = r.varint();
    const scopeRef = r.varint();
    const msgRef = r.varint();
    const rec: SpanRecord = {
      parentIndex: p === 0 ? -1 : p === 1 ? -2 : p - 2,
      parentHex,
      kind: ks & 7,
      status: ks >> 3,
      startNs,
      durationNs,
      name,
      resourceId,
      scope: scopeRef === 0 ? null : s[scopeRef - 1]!,
      statusMessage: msgRef === 0 ? "" : s[msgRef - 1]!,
      attributes: null,
      events: null,
      links: null,
    };
    rec.attributes = keys ? readSomeAttrs(r, s, keys) : readAttrs(r, s, all);
    const ne = r.varint();
    if (all) rec.events = [];
    for (let e = 0; e < ne; e++) {
      const t = startNs + BigInt(r.zigzag());
      const en = s[r.varint()]!;
      const ea = readAttrs(r, s, all);
      if (all) rec.events!.push({ timeUnixNano: t, name: en, attributes: ea! });
    }
    const nl = r.varint();
    if (all) rec.links = [];
    for (let l = 0; l < nl; l++) {
      const traceId = r.hex(16);
      const spanId = r.hex(8);
      const la = readAttrs(r, s, all);
      if (all) rec.links!.push({ traceId, spanId, attributes: la! });
    }
    visit(rec, sec.firstIndex + i);
  }
}

function readSomeAttrs(r: ByteReader, s: string[], keys: ReadonlySet<number>): Attributes {
  const out: Attributes = {};
  const n = r.varint();
  for (let i = 0; i < n; i++) {
    const k = r.varint();
    const wanted = keys.has(k);
    const v = readValue(r, s, wanted);
    if (wanted) out[s[k]!] = v;
  }
  return out;
}

function readAttrs(r: ByteReader, s: string[], full: boolean): Attributes | null {
  const n = r.varint();
  if (!full) {
    for (let i = 0; i < n; i++) {
      r.varint();
      readValue(r, s, false);
    }
    return null;
  }
  const out: Attributes = {};
  for (let i = 0; i < n; i++) {
    const k = s[r.varint()]!;
    out[k] = readValue(r, s, true);
  }
  return out;
}

function readValue(r: ByteReader, s: string[], full: boolean): AttrValue {
  const tag = r.u8();
  switch (tag) {
    case 0:
      return null;
    case 1:
      return s[r.varint()]!;
    case 2:
      return r.zigzag();
    case 3:
      return r.f64();
    case 4:
      return true;
    case 5:
      return false;
    case 6: {
      const n = r.varint();
      const out: AttrValue[] = [];
      for (let i = 0; i < n; i++) out.push(readValue(r, s, full));
      return full ? out : null;
    }
    case 7: {
      const n = r.varint();
      const out: Record<string, AttrValue> = {};
      for (let i = 0; i < n; i++) {
        const k = s[r.varint()]!;
        out[k] = readValue(r, s, full);
      }
      return full ? out : null;
    }
    default:
      throw new Error(`span block: unknown value tag ${tag}`);
  }
}
