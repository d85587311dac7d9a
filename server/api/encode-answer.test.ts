import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { chooseEncoding, describeServerTiming, encodeAnswer, MIN_COMPRESS_BYTES } from "./encode-answer";

describe("API answer encoding", () => {
  it("takes Brotli, then gzip, from what the client offers, honouring q=0", () => {
    expect(chooseEncoding("gzip, deflate, br, zstd")).toBe("br");
    expect(chooseEncoding("gzip, deflate")).toBe("gzip");
    expect(chooseEncoding("br;q=0, gzip;q=0.5")).toBe("gzip");
    expect(chooseEncoding("identity")).toBeNull();
    expect(chooseEncoding("*")).toBe("br");
    expect(chooseEncoding("*, br;q=0")).toBe("gzip");
    expect(chooseEncoding(undefined)).toBeNull();
    expect(chooseEncoding(["deflate", "gzip"])).toBe("gzip");
  });

  it("compresses a large answer so that it decodes to the same JSON, and leaves small ones plain", async () => {
    const json = JSON.stringify({
      edges: Array.from({ length: 2000 }, (_, i) => ({ id: `service:a${i}->service:b${i}`, p95Ms: i * 1.5 })),
    });
    const br = await encodeAnswer(json, "gzip, br");
    expect(br.encoding).toBe("br");
    expect(br.body.length).toBeLessThan(json.length / 5);
    expect(brotliDecompressSync(br.body).toString()).toBe(json);
    const gz = await encodeAnswer(json, "gzip");
    expect(gz.encoding).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(json);
    const small = await encodeAnswer('{"ok":true}', "gzip, br");
    expect(small).toMatchObject({ encoding: null, compressMs: 0 });
    expect(small.body.toString()).toBe('{"ok":true}');
    expect((await encodeAnswer("x".repeat(MIN_COMPRESS_BYTES), undefined)).encoding).toBeNull();
  });

  it("names where the time went, the remainder as wait", () => {
    const v = describeServerTiming({ handleMs: 40, serializeMs: 5 }, { compressMs: 3, encoding: "gzip" }, 60);
    expect(v).toBe('handle;dur=40.0, serialize;dur=5.0, wait;dur=12.0, compress;dur=3.0;desc="gzip", total;dur=60.0');
    expect(describeServerTiming(undefined, { compressMs: 0, encoding: null }, 2)).toBe("total;dur=2.0");
  });
});
