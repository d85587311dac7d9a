import "server-only";
import type { IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";

export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads a request body, inflating gzip as it streams, and stops as soon as the
 * decompressed size passes `maxBytes` (a decompression bomb costs at most the cap).
 */
export function readBody(req: IncomingMessage, encoding: "gzip" | "identity", maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: BodyError) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume();
      reject(e);
    };
    const source = encoding === "gzip" ? req.pipe(createGunzip()) : req;
    source.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) {
        if (source !== req) (source as ReturnType<typeof createGunzip>).destroy();
        return fail(new BodyError(413, `request body over ${maxBytes} bytes after decompression`));
      }
      chunks.push(c);
    });
    source.on("error", (e: Error) => fail(new BodyError(400, `body could not be decompressed: ${e.message}`)));
    req.on("aborted", () => fail(new BodyError(400, "request aborted by the client")));
    source.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
}
