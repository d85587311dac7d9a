import { describe, expect, it } from "vitest";
import { BucketMap, takeToken } from "./rate-limit";

describe("token bucket", () => {
  it("allows a burst, then the rate, and says when to retry", () => {
    let b = undefined;
    const ok: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const t = takeToken(b, 0, 2, 4);
      ok.push(t.ok);
      b = t.bucket;
    }
    expect(ok).toEqual([true, true, true, true, false]);
    expect(takeToken(b, 0, 2, 4).retryAfterSeconds).toBe(1);
    expect(takeToken(b, 500, 2, 4).ok).toBe(true);
    expect(takeToken(undefined, 0, 0.01, 1).ok).toBe(true);
    const slow = takeToken(takeToken(undefined, 0, 0.01, 1).bucket, 0, 0.01, 1);
    expect(slow.retryAfterSeconds).toBe(100);
  });
  it("keeps at most maxKeys buckets, dropping the least recently used", () => {
    const m = new BucketMap(2);
    m.take("a", 0, 1, 1);
    m.take("b", 0, 1, 1);
    m.take("a", 0, 1, 1); // a is now empty and most recent
    m.take("c", 0, 1, 1); // evicts b
    expect(m.peek("a", 0, 1, 1)?.ok).toBe(false);
    expect(m.peek("b", 0, 1, 1)).toBeNull();
  });
});
