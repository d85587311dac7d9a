import "server-only";

/**
 * Per-block Bloom filters over search terms (service, operation, attribute key=value), so a
 * trace search reads only the blocks that may hold a match. Terms are hashed without
 * building strings: two 32-bit accumulators (FNV-1a and a multiply-xor) over the term's
 * parts, combined by double hashing into K probes. 16 bits per distinct term and K = 8 give
 * about 0.06 % false positives; a false positive costs one block decode, never a wrong answer
 * (matches are always checked on the decoded spans).
 */
export const TermKind = { service: 1, operation: 2, attribute: 3 } as const;

const K = 8;
const BITS_PER_TERM = 16;
let h1 = 0;
let h2 = 0;

function start(kind: number): void {
  h1 = Math.imul(0x811c9dc5 ^ kind, 16777619);
  h2 = Math.imul(0x9747b28c ^ kind, 0x5bd1e995);
}

function feed(s: string): void {
  let a = h1,
    b = h2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // A separator so ("ab","c") and ("a","bc") differ.
  h1 = Math.imul(a ^ 0xff, 16777619);
  h2 = Math.imul(b ^ 0xff, 0x5bd1e995);
}

/** One term as a single number (52 bits of the two hashes), for de-duplication and probing. */
function finish(): number {
  const a = (h1 ^ (h1 >>> 16)) >>> 0;
  let b = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  b = (b ^ (b >>> 16)) >>> 0;
  return a * 0x100000 + (b & 0xfffff);
}

export function hashTerm(kind: number, a: string, b?: string): number {
  start(kind);
  feed(a);
  if (b !== undefined) feed(b);
  return finish();
}

/** Builds a filter over distinct term hashes. */
export function buildBloom(terms: Set<number>): Buffer {
  let bits = 64;
  while (bits < terms.size * BITS_PER_TERM) bits *= 2;
  const out = Buffer.alloc(bits / 8);
  const mask = bits - 1;
  for (const t of terms) {
    const a = Math.floor(t / 0x100000) >>> 0;
    const b = ((t & 0xfffff) | 1) >>> 0;
    for (let i = 0; i < K; i++) {
      const bit = (a + Math.imul(i, b)) & mask;
      out[bit >>> 3]! |= 1 << (bit & 7);
    }
  }
  return out;
}

export function bloomHas(bloom: Uint8Array, t: number): boolean {
  const bits = bloom.length * 8;
  if (bits === 0) return false;
  const mask = bits - 1;
  const a = Math.floor(t / 0x100000) >>> 0;
  const b = ((t & 0xfffff) | 1) >>> 0;
  for (let i = 0; i < K; i++) {
    const bit = (a + Math.imul(i, b)) & mask;
    if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}

/** String form of a scalar attribute value, as `attr=key=value` filters compare it. */
export function termValue(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}
