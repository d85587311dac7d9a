import "server-only";

/** A token bucket (pure): `rate` tokens per second, at most `burst` stored. */
export interface Bucket {
  tokens: number;
  at: number;
}

export interface Take {
  bucket: Bucket;
  ok: boolean;
  /** When refused: seconds until one token is available (at least 1). */
  retryAfterSeconds: number;
}

export function takeToken(bucket: Bucket | undefined, now: number, rate: number, burst: number): Take {
  const prev = bucket ?? { tokens: burst, at: now };
  const tokens = Math.min(burst, prev.tokens + (Math.max(0, now - prev.at) / 1000) * rate);
  if (tokens >= 1) return { bucket: { tokens: tokens - 1, at: now }, ok: true, retryAfterSeconds: 0 };
  return { bucket: { tokens, at: now }, ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / rate)) };
}

/**
 * Buckets by key, bounded: when full, the least recently touched entries go first (a flood of
 * distinct keys costs memory only up to `maxKeys`).
 */
export class BucketMap {
  private buckets = new Map<string, Bucket>();
  constructor(private readonly maxKeys = 10_000) {}

  take(key: string, now: number, rate: number, burst: number): Take {
    const r = takeToken(this.buckets.get(key), now, rate, burst);
    this.buckets.delete(key);
    this.buckets.set(key, r.bucket);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return r;
  }

  /** Refusal a `take` would give now, without spending a token (null: a token is available). */
  peek(key: string, now: number, rate: number, burst: number): Take | null {
    const r = takeToken(this.buckets.get(key), now, rate, burst);
    return r.ok ? null : r;
  }

  clear(key: string): void {
    this.buckets.delete(key);
  }
}
