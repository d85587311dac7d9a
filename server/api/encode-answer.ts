import "server-only";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Bodies below this stay plain: compressing them saves less than the headers weigh. */
export const MIN_COMPRESS_BYTES = 1024;
/**
 * Brotli quality 5 and gzip level 6: ~10x on the map's JSON at a few ms per 100 kB. Brotli's
 * default (11) took seconds on an 800 kB map; browsers offer `br` over HTTPS only.
 */
const BROTLI_QUALITY = 5;
const GZIP_LEVEL = 6;

export interface EncodedBody {
  body: Buffer;
  encoding: "br" | "gzip" | null;
  /** Milliseconds spent compressing (0 when plain). */
  compressMs: number;
}

/** The content coding to use for an `Accept-Encoding` header: Brotli, else gzip, else none. */
export function chooseEncoding(acceptEncoding: string | string[] | undefined): "br" | "gzip" | null {
  const offered = new Map<string, number>();
  for (const part of [acceptEncoding ?? ""].flat().join(",").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    offered.set(name, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => offered.get(name) ?? offered.get("*") ?? 0;
  if (weight("br") > 0) return "br";
  if (weight("gzip") > 0) return "gzip";
  return null;
}

/** The answer's bytes, compressed off the event loop when the client accepts it and it pays. */
export async function encodeAnswer(json: string, acceptEncoding: string | string[] | undefined): Promise<EncodedBody> {
  const plain = Buffer.from(json);
  const encoding = plain.length >= MIN_COMPRESS_BYTES ? chooseEncoding(acceptEncoding) : null;
  if (!encoding) return { body: plain, encoding: null, compressMs: 0 };
  const started = performance.now();
  const body =
    encoding === "br"
      ? await brotli(plain, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: plain.length,
          },
        })
      : await gz(plain, { level: GZIP_LEVEL });
  return { body, encoding, compressMs: performance.now() - started };
}

/**
 * The `Server-Timing` value: `handle` (parse and query), `serialize` (JSON), `wait` (the rest
 * before compression: a query thread's queue and hand-over, or reading the body), `compress`
 * and `total`, all in milliseconds.
 */
export function describeServerTiming(
  timing: { handleMs: number; serializeMs: number } | undefined,
  encoded: Pick<EncodedBody, "compressMs" | "encoding">,
  totalMs: number,
): string {
  const ms = (v: number) => Math.max(0, v).toFixed(1);
  const parts: string[] = [];
  if (timing) {
    parts.push(`handle;dur=${ms(timing.handleMs)}`, `serialize;dur=${ms(timing.serializeMs)}`);
    parts.push(`wait;dur=${ms(totalMs - encoded.compressMs - timing.handleMs - timing.serializeMs)}`);
  }
  if (encoded.encoding) parts.push(`compress;dur=${ms(encoded.compressMs)};desc="${encoded.encoding}"`);
  parts.push(`total;dur=${ms(totalMs)}`);
  return parts.join(", ");
}
