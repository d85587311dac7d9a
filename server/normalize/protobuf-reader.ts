import "server-only";

/**
 * A minimal protobuf wire reader over one Buffer: varints, fixed32/64, length-delimited
 * ranges. Positions are plain numbers the caller keeps, so walking a message allocates
 * nothing. Every read checks its bounds and throws `ProtobufError` on bytes that are not
 * protobuf (truncated, over-long varint, reserved wire type).
 */
export class ProtobufError extends Error {}

export class ProtobufReader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  /** A varint of up to 32 bits (tags, lengths, enums as int32; longer varints keep their low 32 bits). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++]!;
    let v = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++]!;
      v |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++]!;
        v |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++]!;
          v |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++]!;
            v |= b << 28;
            // Bytes 6-10 of a 64-bit varint (negative int32s are sign-extended to 10 bytes).
            for (let i = 0; b >= 0x80 && i < 5; i++) b = buf[pos++]!;
            if (b >= 0x80) throw new ProtobufError("varint longer than 10 bytes");
          }
        }
      }
    }
    if (pos > buf.length) throw new ProtobufError(`index out of range: ${pos} > ${buf.length}`);
    this.pos = pos;
    return v >>> 0;
  }

  /** An int32 field (enums): the low 32 bits, signed. */
  int32(): number {
    return this.uint32() | 0;
  }

  /**
   * An int64 varint as a JavaScript number when it is a safe integer, else its exact decimal
   * string (the normalize contract for integer attributes).
   */
  int64(): number | string {
    const buf = this.buf;
    let lo = 0;
    let shift = 0;
    let pos = this.pos;
    let b: number;
    // Low 28 bits, then bits 28-31 split over the fifth byte, then the high word.
    for (; shift < 28; shift += 7) {
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.finish64(pos, lo >>> 0, 0);
    }
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.finish64(pos, lo >>> 0, hi);
    for (shift = 3; shift < 32; shift += 7) {
      b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.finish64(pos, lo >>> 0, hi >>> 0);
    }
    throw new ProtobufError("varint longer than 10 bytes");
  }

  private finish64(pos: number, lo: number, hi: number): number | string {
    if (pos > this.buf.length) throw new ProtobufError(`index out of range: ${pos} > ${this.buf.length}`);
    this.pos = pos;
    if (hi === 0) return lo;
    if (hi < 0x200000) return hi * 4294967296 + lo;
    const signed = hi >= 0x80000000;
    if (signed && hi >= 0xffe00000 && (hi !== 0xffe00000 || lo !== 0)) return (hi - 4294967296) * 4294967296 + lo;
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /** fixed64 as an exact unsigned bigint (nanosecond timestamps). */
  fixed64(): bigint {
    const pos = this.need(8);
    const lo = this.buf.readUInt32LE(pos);
    const hi = this.buf.readUInt32LE(pos + 4);
    return hi < 0x200000 ? BigInt(hi * 4294967296 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
  }

  double(): number {
    return this.buf.readDoubleLE(this.need(8));
  }

  /** A length-delimited field: returns its end; its bytes are [pos, end). */
  bytesEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.buf.length) throw new ProtobufError(`index out of range: ${end} > ${this.buf.length}`);
    return end;
  }

  string(): string {
    const end = this.bytesEnd();
    const s = this.buf.utf8Slice(this.pos, end);
    this.pos = end;
    return s;
  }

  /** Skips the value of a field of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uint32();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.pos = this.bytesEnd();
        return;
      case 5:
        this.need(4);
        return;
      case 3:
        // A group: skip fields until its end tag.
        for (;;) {
          const tag = this.uint32();
          if ((tag & 7) === 4) return;
          this.skip(tag & 7);
        }
      default:
        throw new ProtobufError(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  private need(n: number): number {
    const pos = this.pos;
    if (pos + n > this.buf.length) throw new ProtobufError(`index out of range: ${pos + n} > ${this.buf.length}`);
    this.pos = pos + n;
    return pos;
  }
}
