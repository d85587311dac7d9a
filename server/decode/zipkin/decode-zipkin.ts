import "server-only";
import { DecodeError, type Encoding } from "../decode-request";
import { convertJsonSpan, ZipkinSpanJson } from "./zipkin-json";
import { convertProtoSpan, ListOfSpans, ZipkinFieldError } from "./zipkin-proto";
import type { ZipkinSpan } from "./types";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Names a span in error messages the way a user finds it in their payload. */
export function describeSpan(index: number, raw: { id?: unknown; name?: unknown } | null | undefined): string {
  const id = typeof raw?.id === "string" ? ` id ${raw.id}` : "";
  const name = typeof raw?.name === "string" && raw.name !== "" ? ` "${raw.name}"` : "";
  return `span ${index}${id}${name}`;
}

/**
 * Decodes a POST /api/v2/spans body: a JSON array of v2 spans, or a protobuf `ListOfSpans`.
 * As Zipkin does, a body with any malformed span is refused whole (400), with a message
 * that names the span (index, id, name) and the field.
 */
export function decodeZipkinSpans(body: Uint8Array, encoding: Encoding): ZipkinSpan[] {
  if (encoding === "protobuf") {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let msg: any;
    try {
      msg = ListOfSpans.decode(body);
    } catch (e) {
      throw new DecodeError(`ListOfSpans: malformed protobuf: ${(e as Error).message}`);
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (msg.spans ?? []).map((s: any, i: number) => {
      try {
        return convertProtoSpan(s, i);
      } catch (e) {
        if (e instanceof ZipkinFieldError) {
          throw new DecodeError(
            `${describeSpan(i, { id: Buffer.from(s.id ?? []).toString("hex") || undefined, name: s.name })}: ${e.field}: ${e.message}`,
          );
        }
        throw e;
      }
    });
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new DecodeError("Zipkin v2 JSON: body is not valid UTF-8");
  }
  if (text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DecodeError(`Zipkin v2 JSON: malformed JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new DecodeError("Zipkin v2 JSON: the body must be a JSON array of spans (ListOfSpans)");
  return parsed.map((raw, i) => {
    const r = ZipkinSpanJson.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = issue.path.map(String).join(".") || "(span)";
      throw new DecodeError(`${describeSpan(i, raw as { id?: unknown; name?: unknown })}: ${field}: ${issue.message}`);
    }
    return convertJsonSpan(r.data);
  });
}
