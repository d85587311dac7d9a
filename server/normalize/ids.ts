import "server-only";

const HEX = /^[0-9a-fA-F]*$/;

/**
 * OTLP id (bytes from protobuf, hex string from JSON) → lowercase hex, or null when the id
 * has the wrong length, is not hex, or is all zeros (all invalid per trace.proto).
 * `bytes` is the expected byte length (16 trace, 8 span).
 */
export function readId(v: unknown, bytes: number): string | null {
  if (v == null) return null;
  let hex: string;
  if (typeof v === "string") {
    if (v.length !== bytes * 2 || !HEX.test(v)) return null;
    hex = v.toLowerCase();
  } else if (v instanceof Uint8Array) {
    if (v.length !== bytes) return null;
    hex = Buffer.from(v.buffer, v.byteOffset, v.length).toString("hex");
  } else {
    return null;
  }
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return hex;
  return null;
}

/** An optional parent id: absent/empty is a root (undefined), malformed is null. */
export function readParentId(v: unknown): string | undefined | null {
  if (v == null) return undefined;
  if (typeof v === "string" && v === "") return undefined;
  if (v instanceof Uint8Array && v.length === 0) return undefined;
  return readId(v, 8);
}

/** fixed64 nanoseconds (Long, string or number) → exact bigint; null when unreadable. */
export function readNanos(v: unknown): bigint | null {
  if (v == null) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "string") return /^\d+$/.test(v) ? BigInt(v) : null;
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? BigInt(Math.trunc(v)) : null;
  if (typeof v === "object" && "low" in v && "high" in v) {
    const l = v as { low: number; high: number };
    return (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  }
  return null;
}

/** The largest nanosecond timestamp a signed 64-bit column holds (year 2262). */
export const MAX_STORABLE_NANOS = (1n << 63n) - 1n;
