import "server-only";

/**
 * Growable little-endian byte writer and its reader, for the span block and trace summary
 * encodings. Varints are LEB128 over non-negative safe integers (up to 2^53); signed values
 * go through zigzag first. One writer is reused per appender, so steady-state ingest
 * allocates no buffer per span.
 */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reset(): void {
    this.pos = 0;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  varint(v: number): void {
    this.ensure(8);
    if (v < 0x80) {
      this.buf[this.pos++] = v;
      return;
    }
    while (v >= 0x80) {
      // Division keeps values above 2^31 exact; bit operators would truncate them.
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  zigzag(v: number): void {
    this.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  u64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Lowercase hex id → raw bytes (`n` bytes). */
  hex(id: string, n: number): void {
    this.ensure(n);
    this.buf.write(id, this.pos, n, "hex");
    this.pos += n;
  }

  /** A length-prefixed UTF-8 string. */
  string(s: string): void {
    const max = s.length * 3;
    this.ensure(max + 5);
    // Reserve a 1-byte length when it surely fits, else measure first.
    if (max < 0x80) {
      const at = this.pos++;
      const n = this.buf.utf8Write(s, this.pos);
      this.buf[at] = n;
      this.pos += n;
      return;
    }
    const n = Buffer.byteLength(s, "utf8");
    this.varint(n);
    this.pos += this.buf.utf8Write(s, this.pos);
  }

  /** A copy of what was written. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) throw new RangeError("span block truncated");
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let b = this.u8();
    if (b < 0x80) return b;
    let v = b & 0x7f;
    let mul = 0x80;
    for (;;) {
      b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  f64(): number {
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  hex(n: number): string {
    const s = this.buf.hexSlice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  skip(n: number): void {
    this.pos += n;
  }

  string(): string {
    const n = this.varint();
    const s = this.buf.utf8Slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
}

declare module "node:buffer" {
  interface Buffer {
    utf8Write(s: string, offset?: number, length?: number): number;
    utf8Slice(start?: number, end?: number): string;
    hexSlice(start?: number, end?: number): string;
    latin1Slice(start?: number, end?: number): string;
  }
}
